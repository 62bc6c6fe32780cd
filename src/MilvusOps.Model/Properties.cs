using System.Runtime.CompilerServices;

// The cmdlets stamp emitted objects with their connection and reach the store behind it; the engine opens connections.
[assembly: InternalsVisibleTo("MilvusOps")]
[assembly: InternalsVisibleTo("MilvusOps.Engine")]
[assembly: InternalsVisibleTo("MilvusOps.Engine.Tests")]
[assembly: InternalsVisibleTo("MilvusOps.Bench")]
