using System.Runtime.InteropServices;

namespace MilvusOps.Engine.Search.Graph;

/// <summary>
/// The parts of USearch's C library (libusearch_c, from the Cloud.Unum.USearch package's native assets) that
/// <see cref="HnswGraph"/> calls. Declared here rather than through the package's managed wrapper, which does not
/// expose filtered search, the search-time expansion or the thread contexts. Every signature is blittable.
/// </summary>
/// <remarks>Layout and values follow c/usearch.h of USearch 2.x (checked against the 2.26.6 wrapper's own
/// declarations): an error is a static C string the call leaves in <c>error</c>, or null.</remarks>
internal static unsafe class USearchNative
{
    private const string Library = "libusearch_c";

    internal const int MetricCos = 1;
    internal const int MetricIp = 2;
    internal const int MetricL2sq = 3;
    internal const int ScalarF32 = 1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct InitOptions
    {
        public int MetricKind;
        public nint Metric;          // a custom metric function; null for the built-in ones
        public int Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        public byte Multi;           // C bool: one vector per key when 0
    }

    [DllImport(Library, ExactSpelling = true)] internal static extern nint usearch_version();
    [DllImport(Library, ExactSpelling = true)] internal static extern nint usearch_init(InitOptions* options, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_free(nint index, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_save(nint index, byte* path, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_load(nint index, byte* path, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_metadata(byte* path, InitOptions* options, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern nuint usearch_size(nint index, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern nuint usearch_capacity(nint index, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern nuint usearch_memory_usage(nint index, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern nuint usearch_expansion_search(nint index, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_reserve(nint index, nuint capacity, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_change_expansion_search(nint index, nuint expansion, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_change_threads_add(nint index, nuint threads, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_change_threads_search(nint index, nuint threads, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern void usearch_add(nint index, ulong key, float* vector, int kind, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern nuint usearch_remove(nint index, ulong key, nint* error);
    [DllImport(Library, ExactSpelling = true)] internal static extern nuint usearch_get(nint index, ulong key, nuint count, float* vector, int kind, nint* error);

    [DllImport(Library, ExactSpelling = true)]
    internal static extern nuint usearch_search(nint index, float* query, int kind, nuint count, ulong* keys, float* distances, nint* error);

    [DllImport(Library, ExactSpelling = true)]
    internal static extern nuint usearch_filtered_search(nint index, float* query, int kind, nuint count,
        delegate* unmanaged[Cdecl]<ulong, void*, int> filter, void* filterState, ulong* keys, float* distances, nint* error);
}
