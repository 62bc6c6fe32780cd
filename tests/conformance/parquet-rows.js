#!/usr/bin/env node
// Reads a Parquet file with hyparquet, a JavaScript Parquet reader independent of the one MilvusOps writes with, and
// prints {"schema": [...], "rows": [...]} as one JSON document. A float vector is printed as the bit patterns of its
// float32 values (JSON numbers cannot carry -0), everything else as hyparquet reads it.
// Usage: node parquet-rows.js <file.parquet>
'use strict';

async function main(file) {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, parquetReadObjects } = await import('hyparquet');
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  const describe = (node) => ({
    name: node.element.name,
    type: node.element.type ?? null,
    logical: node.element.logical_type?.type ?? node.element.converted_type ?? null,
    repetition: node.element.repetition_type ?? null,
    children: node.children.map(describe),
  });
  const rows = await parquetReadObjects({ file: buffer, metadata });
  const bits = new Uint32Array(1);
  const floats = new Float32Array(bits.buffer);
  const asBits = (list) => list.map((x) => { floats[0] = x; return bits[0]; });
  process.stdout.write(JSON.stringify({
    schema: describe(parquetSchema(metadata)).children,
    row_groups: metadata.row_groups.length,
    rows: rows.map((r) => ({ ...r, vector: Array.isArray(r.vector) ? asBits(r.vector) : r.vector })),
  }));
}

main(process.argv[2]).catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
