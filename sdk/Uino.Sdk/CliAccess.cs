using System.Runtime.CompilerServices;

// The command line's assembly is named "uino" (Uino.Cli.csproj), so the csproj's InternalsVisibleTo("Uino.Cli")
// does not reach it on this branch; `uino segment` and `uino bench` need the internal model types.
[assembly: InternalsVisibleTo("uino")]
