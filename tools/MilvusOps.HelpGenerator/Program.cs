using System.Reflection;
using System.Runtime.Loader;
using MilvusOps.HelpGenerator;

// milvusops-helpgen --assembly <lib/MilvusOps.dll> --doc <MilvusOps.xml> --out <folder> [--out <folder>...]
// Writes <folder>/MilvusOps.dll-Help.xml (MAML) into every --out folder.
string? assemblyPath = null, docPath = null;
var outputs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : throw Usage($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--assembly": assemblyPath = Path.GetFullPath(value); break;
        case "--doc": docPath = Path.GetFullPath(value); break;
        case "--out": outputs.Add(Path.GetFullPath(value)); break;
        default: throw Usage($"unknown argument {args[i]}");
    }
    i++;
}
if (assemblyPath is null || docPath is null || outputs.Count == 0) throw Usage("--assembly, --doc and --out are required");
if (!File.Exists(assemblyPath)) throw new FileNotFoundException("The cmdlet assembly is missing.", assemblyPath);
if (!File.Exists(docPath)) throw new FileNotFoundException("The XML documentation file is missing (GenerateDocumentationFile).", docPath);

// The module keeps its engine in lib/deps (it loads it in a private context); probe there too.
string libDir = Path.GetDirectoryName(assemblyPath)!;
AssemblyLoadContext.Default.Resolving += (context, name) =>
{
    foreach (string dir in new[] { libDir, Path.Combine(libDir, "deps") })
    {
        string candidate = Path.Combine(dir, name.Name + ".dll");
        if (File.Exists(candidate)) return context.LoadFromAssemblyPath(candidate);
    }
    return null;
};

var assembly = Assembly.LoadFrom(assemblyPath);
var docs = DocComments.Load(docPath);
var writer = new MamlWriter(docs);
var document = writer.Write(assembly);
string fileName = Path.GetFileName(assemblyPath) + "-Help.xml";
foreach (string output in outputs)
{
    Directory.CreateDirectory(output);
    document.Save(Path.Combine(output, fileName));
}
foreach (string warning in writer.Warnings) Console.Error.WriteLine("helpgen: " + warning);
Console.WriteLine($"helpgen: {writer.CommandCount} cmdlets -> {string.Join(", ", outputs.Select(o => Path.Combine(o, fileName)))}");
return 0;

static ArgumentException Usage(string message) =>
    new($"{message}. usage: milvusops-helpgen --assembly <MilvusOps.dll> --doc <MilvusOps.xml> --out <folder> [--out <folder>...]");
