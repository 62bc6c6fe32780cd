'use strict';
// A request's expr_template_values (map<string, schema.TemplateValue>, as toObject decodes it) as the literals
// filter.js fills `{name}` placeholders with, converted as Milvus 2.5's UnmarshalExpressionValues does: every value,
// used or not, must convert, or the request fails.
//
//   bool_val, int64_val, float_val, string_val -> a boolean, integer, float or string
//   array_val -> a list: bool_data, long_data, double_data, string_data give elements of that type, array_data
//                nested lists, json_data one JSON text per element (a number is an integer when it is written as
//                one and fits int64, as Go's json.Number.Int64 decides; objects and null are refused)

const { FilterError } = require('./filter');

function templateValues(wire) {
  const values = {};
  for (const [name, value] of Object.entries(wire || {})) values[name] = scalar(name, value);
  return values;
}

function scalar(name, value) {
  switch (value && value.val) {
    case 'bool_val': return { type: 'bool', value: value.bool_val };
    case 'int64_val': return { type: 'int', value: Number(value.int64_val) };
    case 'float_val': return { type: 'float', value: value.float_val };
    case 'string_val': return { type: 'string', value: value.string_val };
    case 'array_val': return array(name, value.array_val);
    default: throw new FilterError('expression elements can only be scalars');
  }
}

function array(name, value) {
  const data = value[value.data];
  switch (value.data) {
    case 'bool_data': return list(data.data.map((v) => ({ type: 'bool', value: v })));
    case 'long_data': return list(data.data.map((v) => ({ type: 'int', value: Number(v) })));
    case 'double_data': return list(data.data.map((v) => ({ type: 'float', value: v })));
    case 'string_data': return list(data.data.map((v) => ({ type: 'string', value: v })));
    case 'array_data': return list(data.data.map((v) => array(name, v)));
    case 'json_data': return list(data.data.map((bytes) => json(Buffer.from(bytes).toString('utf8'))));
    default: throw new FilterError('unknown template variable value type: <nil>');
  }
}

const list = (items) => ({ type: 'list', items });

// One json_data element. JSON.parse drops how a number was written, so each number's text is read from the element
// in order: numbers appear in the text in the order a depth-first walk of the parsed lists meets them.
function json(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FilterError(`a json_data element is not JSON: ${text}`);
  }
  const numbers = (text.match(/"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/g) || []).filter((t) => t[0] !== '"');
  let next = 0;
  const convert = (v) => {
    if (typeof v === 'number') {
      const written = numbers[next++];
      const integer = /^-?[0-9]+$/.test(written) && BigInt(written) >= -(2n ** 63n) && BigInt(written) < 2n ** 63n;
      return { type: integer ? 'int' : 'float', value: v };
    }
    if (typeof v === 'string') return { type: 'string', value: v };
    if (typeof v === 'boolean') return { type: 'bool', value: v };
    if (Array.isArray(v)) return list(v.map(convert));
    throw new FilterError(`${JSON.stringify(v)} is of unknown type`);
  };
  return convert(value);
}

module.exports = { templateValues };
