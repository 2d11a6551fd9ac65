global using Uino.Tests.Shared;
