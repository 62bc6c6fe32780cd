'use strict';
// FieldData columns against a stored schema: decoding a write's columns into per-row values (with Milvus 2.5's
// proxy checks and messages), and encoding stored values back into result columns.
//
// Stored values: VarChar a string, Bool a boolean, Int8/16/32 Float Double a number, Int64 a decimal string,
// JSON { bytes, value } (the exact bytes written and the parsed document), FloatVector a Float32Array; null for a
// null row of a nullable field.

const { need, parseJsonText } = require('./validate');
const { Errors } = require('./status');

// The ScalarField oneof each scalar type travels in.
const SCALAR_DATA = {
  Bool: 'bool_data', Int8: 'int_data', Int16: 'int_data', Int32: 'int_data', Int64: 'long_data', Float: 'float_data',
  Double: 'double_data', VarChar: 'string_data', JSON: 'json_data',
};
const SUPPORTED = new Set([...Object.keys(SCALAR_DATA), 'FloatVector']);
const INT_RANGE = { Int8: [-128, 127], Int16: [-32768, 32767] };
const JSON_MAX_LENGTH = 65536; // common.JSONMaxLength

// The filter language's view of a field type (peer/filter.js).
function filterKind(dataType) {
  if (dataType === 'VarChar') return 'string';
  if (dataType === 'JSON') return 'json';
  if (dataType === 'Bool') return 'bool';
  if (dataType === 'FloatVector') return 'vector';
  return dataType === 'Float' || dataType === 'Double' ? 'float' : 'int';
}

// A stored value as the filter evaluates it: null for a null row; a JSON field as its stored { bytes, value }, so
// that the document null (value null) stays apart from a null row.
function filterValue(field, value) {
  if (value === null || value === undefined) return null;
  if (field.data_type === 'Int64') return Number(value);
  return value;
}

// The values of one written column: an array of num_rows stored values. Throws Invalid for a column the peer
// cannot read, and Milvus's Status failures for what Milvus's proxy rejects.
function readColumn(field, col, numRows, method) {
  const where = `${method} column ${field.name}`;
  const valid = col.valid_data || [];
  // nullutil.CheckValidData: a nullable field carries one flag per row, any other field none.
  const expectedFlags = field.nullable ? numRows : 0;
  if (valid.length !== expectedFlags) {
    throw Errors.invalidExpected(expectedFlags, valid.length, `the length of valid_data of field(${field.name}) is wrong`);
  }

  if (field.data_type === 'FloatVector') {
    need(col.field === 'vectors' && col.vectors.data === 'float_vector', `${where}: expected float_vector data for a FloatVector field`);
    const floats = col.vectors.float_vector.data;
    const dim = Number(col.vectors.dim);
    if (dim !== field.dim) {
      throw Errors.invalidExpected(field.dim, dim, `the dim (${dim}) of field data(${field.name}) is not equal to schema dim (${field.dim})`);
    }
    if (floats.length % dim !== 0) throw Errors.invalid(`the length(${floats.length}) of float data should divide the dim(${dim})`);
    const rows = floats.length / dim;
    if (rows !== numRows) {
      throw Errors.invalidExpected(numRows, rows, `the num_rows (${rows}) of field (${field.name}) is not equal to passed num_rows (${numRows})`);
    }
    const bad = floats.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw Errors.invalid(`float vector field ${field.name} holds ${floats[bad]} at element ${bad}, NaN and Inf are not allowed`);
    return Array.from({ length: rows }, (_, r) => Float32Array.from(floats.slice(r * dim, (r + 1) * dim)));
  }

  const key = SCALAR_DATA[field.data_type];
  need(col.field === 'scalars' && col.scalars.data === key, `${where}: expected scalars.${key} for a ${field.data_type} field, got ${col.field === 'scalars' ? `scalars.${col.scalars.data}` : col.field}`);
  const data = col.scalars[key].data;

  if (field.data_type === 'VarChar') {
    const bad = data.findIndex((s) => Buffer.byteLength(s, 'utf8') > field.max_length);
    if (bad >= 0) {
      throw Errors.invalid(`length of varchar field ${field.name} exceeds max length, row number: ${bad}, length: ${Buffer.byteLength(data[bad], 'utf8')}, max length: ${field.max_length}`);
    }
  }
  if (INT_RANGE[field.data_type]) {
    const [lo, hi] = INT_RANGE[field.data_type];
    const bad = data.findIndex((x) => x < lo || x > hi);
    if (bad >= 0) throw Errors.invalidExpected('integer doesn\'t overflow', 'out of range', `the ${bad}th element (${data[bad]}) out of range: [${lo}, ${hi}]`);
  }
  if (field.data_type === 'Float' || field.data_type === 'Double') {
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw Errors.invalid(`field ${field.name} holds ${data[bad]} at row ${bad}, NaN and Inf are not allowed`);
  }
  let values = data;
  if (field.data_type === 'JSON') {
    values = data.map((bytes, i) => {
      if (bytes.length > JSON_MAX_LENGTH) {
        throw Errors.invalidExpected('valid length json string', 'length exceeds max length',
          `the length (${bytes.length}) of json field (${field.name}) exceeds max length (${JSON_MAX_LENGTH})`);
      }
      try {
        return { bytes: Buffer.from(bytes), value: parseJsonText(bytes).value };
      } catch (e) {
        // Our rule, not a documented Milvus check: a JSON field holds JSON.
        throw Errors.invalid(`json field ${field.name} row ${i} is not valid JSON`);
      }
    });
  }

  // fillWithNullValue: a nullable column holds only its valid rows; the nulls are filled in.
  if (field.nullable) {
    const present = valid.filter((v) => v).length;
    if (values.length !== present) throw Errors.invalidExpected(present, values.length, 'the length of field is wrong');
    let next = 0;
    return valid.map((v) => (v ? values[next++] : null));
  }
  if (values.length !== numRows) {
    throw Errors.invalidExpected(numRows, values.length, `the num_rows (${values.length}) of field (${field.name}) is not equal to passed num_rows (${numRows})`);
  }
  return values.slice();
}

// A result column for `values` (stored values, null for null rows): full length, with valid_data for a nullable
// field and a placeholder ("" / empty bytes / 0 / false) at its null rows, as Milvus returns them.
function writeColumn(field, values) {
  const base = { type: field.data_type, field_name: field.name, field_id: field.fieldID };
  if (field.data_type === 'FloatVector') {
    const data = [];
    for (const v of values) for (const x of v) data.push(x);
    return { ...base, vectors: { dim: field.dim, float_vector: { data } } };
  }
  const key = SCALAR_DATA[field.data_type];
  const placeholder = field.data_type === 'VarChar' ? '' : field.data_type === 'JSON' ? Buffer.alloc(0)
    : field.data_type === 'Bool' ? false : field.data_type === 'Int64' ? '0' : 0;
  const data = values.map((v) => (v === null ? placeholder : field.data_type === 'JSON' ? v.bytes : v));
  const column = { ...base, scalars: { [key]: { data } } };
  if (field.nullable) column.valid_data = values.map((v) => v !== null);
  return column;
}

function countColumn(n) {
  return { type: 'Int64', field_name: 'count(*)', scalars: { long_data: { data: [String(n)] } } };
}

module.exports = { SUPPORTED, filterKind, filterValue, readColumn, writeColumn, countColumn };
