return Uino.Viewer.ViewerCommand.Run(args);
