return Uino.Cli.UinoCommand.Run(args);
