global using Uino.Tests.Shared;
global using TempDir = Uino.Tests.Shared.TempFolder;
