'use strict';
// A small, honest evaluator for the subset of Bicep our templates use, built on the
// tree-sitter-bicep syntax tree. No Bicep compiler runs on our build machines, yet the tests must
// know which queues, containers and app settings the templates really create, so this evaluates
// variables, parameters, loops, conditions and module parameters the way Bicep would.
//
// Anything that depends on Azure at deployment time (resource properties, uniqueString, guid,
// resourceGroup(), ...) evaluates to an Unknown value. Unknown values are fine inside app-setting
// values, but a queue or container name, a loop's list or a condition that decides what exists
// must be known: the callers treat an Unknown there as a failure, so a template change that the
// evaluator cannot follow fails loudly instead of passing silently.
const fs = require('fs');
const path = require('path');
const { bicepParser } = require('./lib');

class Unknown {
  // partial: for an interpolated string, its text with '${?}' where unknown values go.
  constructor(why, partial = null) { this.why = why; this.partial = partial; }
  toJSON() { return `<unknown: ${this.why}>`; }
  toString() { return `<unknown: ${this.why}>`; }
}
const isUnknown = (v) => v instanceof Unknown;

class EvalError extends Error {}

let sharedParser;
const templateCache = new Map();

function namedChildren(node) {
  const out = [];
  for (let i = 0; i < node.namedChildCount; i++) out.push(node.namedChild(i));
  return out;
}

function hasToken(node, token) {
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (!c.isNamed && c.type === token) return true;
  }
  return false;
}

function stringLiteral(node) {
  // A string with no interpolation, e.g. a resource type or module path.
  if (node.type !== 'string') throw new EvalError(`expected a string literal at line ${node.startPosition.row + 1}`);
  let text = '';
  for (const c of namedChildren(node)) {
    if (c.type === 'string_content') text += c.text;
    else if (c.type === 'escape_sequence') text += unescape(c.text);
    else throw new EvalError(`expected a plain string at line ${node.startPosition.row + 1}`);
  }
  return text;
}

function unescape(seq) {
  const map = { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' };
  if (seq in map) return map[seq];
  const m = /^\\u\{([0-9a-fA-F]+)\}$/.exec(seq);
  if (m) return String.fromCodePoint(parseInt(m[1], 16));
  return seq;
}

/** Parses one .bicep file into its declarations (cached by absolute path). */
function loadTemplate(file) {
  const abs = path.resolve(file);
  if (templateCache.has(abs)) return templateCache.get(abs);
  sharedParser = sharedParser || bicepParser();
  const source = fs.readFileSync(abs, 'utf8');
  const tree = sharedParser.parse(source, null, { bufferSize: Math.max(32 * 1024, source.length * 2 + 1024) });
  if (tree.rootNode.hasError) throw new EvalError(`${abs} does not parse; run infra/check/parse-bicep.js`);
  const t = { file: abs, dir: path.dirname(abs), params: new Map(), vars: new Map(), resources: [], modules: [], outputs: [] };
  let pendingDecorators = [];
  for (const node of namedChildren(tree.rootNode)) {
    if (node.type === 'comment') continue;
    if (node.type === 'decorators') { pendingDecorators = namedChildren(node); continue; }
    const kids = namedChildren(node).filter((k) => k.type !== 'comment');
    const decorators = pendingDecorators;
    pendingDecorators = [];
    switch (node.type) {
      case 'parameter_declaration': {
        const [id, type, def] = kids;
        t.params.set(id.text, { name: id.text, type: type.text, defaultNode: def || null, decorators, secure: decorators.some((d) => /^@secure\b/.test(d.text)) });
        break;
      }
      case 'variable_declaration': {
        const [id, value] = kids;
        t.vars.set(id.text, value);
        break;
      }
      case 'resource_declaration': {
        const [id, type, body] = kids;
        t.resources.push({ symbol: id.text, type: stringLiteral(type), existing: hasToken(node, 'existing'), body, line: node.startPosition.row + 1 });
        break;
      }
      case 'module_declaration': {
        const [id, p, body] = kids;
        t.modules.push({ symbol: id.text, path: stringLiteral(p), body, line: node.startPosition.row + 1 });
        break;
      }
      case 'output_declaration': {
        const [id, type, value] = kids;
        t.outputs.push({ name: id.text, type: type.text, valueNode: value, expression: value.text, decorators });
        break;
      }
      default:
        break;
    }
  }
  templateCache.set(abs, t);
  return t;
}

/** Evaluates expressions of one template for one set of parameter values. */
class Evaluator {
  constructor(template, paramValues = {}) {
    this.t = template;
    this.paramValues = paramValues;
    this.varCache = new Map();
    this.inProgress = new Set();
  }

  lookup(name, scope) {
    if (scope && Object.prototype.hasOwnProperty.call(scope, name)) return scope[name];
    if (this.t.vars.has(name)) {
      if (this.varCache.has(name)) return this.varCache.get(name);
      if (this.inProgress.has(name)) throw new EvalError(`cycle through variable '${name}'`);
      this.inProgress.add(name);
      const v = this.eval(this.t.vars.get(name), {});
      this.inProgress.delete(name);
      this.varCache.set(name, v);
      return v;
    }
    if (this.t.params.has(name)) {
      if (Object.prototype.hasOwnProperty.call(this.paramValues, name)) return this.paramValues[name];
      const p = this.t.params.get(name);
      return p.defaultNode ? this.eval(p.defaultNode, {}) : new Unknown(`parameter ${name} not given`);
    }
    if (this.t.resources.some((r) => r.symbol === name) || this.t.modules.some((m) => m.symbol === name)) {
      return new Unknown(`${name} (deployment-time)`);
    }
    throw new EvalError(`${path.basename(this.t.file)}: unknown identifier '${name}'`);
  }

  eval(node, scope) {
    switch (node.type) {
      case 'string': return this.evalString(node, scope);
      case 'number': return Number(node.text);
      case 'boolean': return node.text === 'true';
      case 'null': return null;
      case 'identifier': return this.lookup(node.text, scope);
      case 'parenthesized_expression': return this.eval(namedChildren(node)[0], scope);
      case 'array': return namedChildren(node).filter((c) => c.type !== 'comment').map((c) => this.eval(c, scope));
      case 'object': return this.evalObject(node, scope);
      case 'member_expression': {
        const obj = this.eval(node.childForFieldName('object'), scope);
        const prop = node.childForFieldName('property').text;
        if (isUnknown(obj)) return new Unknown(`${obj.why}.${prop}`);
        if (obj === null || typeof obj !== 'object') throw new EvalError(`.${prop} on a non-object at line ${node.startPosition.row + 1}`);
        if (!(prop in obj)) throw new EvalError(`no property '${prop}' at line ${node.startPosition.row + 1}`);
        return obj[prop];
      }
      case 'subscript_expression': {
        const obj = this.eval(node.childForFieldName('object'), scope);
        const idx = this.eval(node.childForFieldName('index'), scope);
        if (isUnknown(obj) || isUnknown(idx)) return new Unknown('subscript');
        return obj[idx];
      }
      case 'ternary_expression': {
        const cond = this.eval(node.childForFieldName('condition'), scope);
        if (isUnknown(cond)) return new Unknown(`condition ${cond.why}`);
        return this.eval(node.childForFieldName(cond ? 'consequence' : 'alternative'), scope);
      }
      case 'unary_expression': {
        const arg = this.eval(node.childForFieldName('argument'), scope);
        const op = node.child(0).type;
        if (isUnknown(arg)) return arg;
        if (op === '!') return !arg;
        if (op === '-') return -arg;
        throw new EvalError(`unsupported unary operator ${op}`);
      }
      case 'binary_expression': return this.evalBinary(node, scope);
      case 'call_expression': return this.evalCall(node, scope);
      case 'for_statement': return this.evalFor(node, scope);
      default:
        throw new EvalError(`${path.basename(this.t.file)}:${node.startPosition.row + 1}: unsupported expression '${node.type}'`);
    }
  }

  evalString(node, scope) {
    let text = '';
    let unknown = null;
    for (const c of namedChildren(node)) {
      if (c.type === 'string_content') text += c.text;
      else if (c.type === 'escape_sequence') text += unescape(c.text);
      else if (c.type === 'interpolation') {
        const v = this.eval(namedChildren(c)[0], scope);
        if (isUnknown(v)) { unknown = v; text += '${?}'; } else text += String(v);
      } else if (c.type === 'comment') {
        // multi-line strings cannot hold comments; ignore defensively
      } else throw new EvalError(`unsupported string part ${c.type}`);
    }
    return unknown ? new Unknown(`string '${text}'`, text) : text;
  }

  evalObject(node, scope) {
    const out = {};
    for (const prop of namedChildren(node)) {
      if (prop.type === 'comment') continue;
      if (prop.type !== 'object_property') throw new EvalError(`unsupported object member ${prop.type} at line ${prop.startPosition.row + 1}`);
      const [keyNode, valueNode] = namedChildren(prop).filter((c) => c.type !== 'comment');
      let key;
      if (keyNode.type === 'identifier') key = keyNode.text;
      else {
        key = this.eval(keyNode, scope);
        if (isUnknown(key)) key = `<unknown key at line ${keyNode.startPosition.row + 1}>`;
      }
      out[key] = this.eval(valueNode, scope);
    }
    return out;
  }

  evalBinary(node, scope) {
    const opNode = [];
    for (let i = 0; i < node.childCount; i++) if (!node.child(i).isNamed) opNode.push(node.child(i).type);
    const op = opNode[0];
    const left = this.eval(node.childForFieldName('left'), scope);
    if (op === '&&' && left === false) return false;
    if (op === '||' && left === true) return true;
    const right = this.eval(node.childForFieldName('right'), scope);
    if (isUnknown(left) || isUnknown(right)) return new Unknown(`(${node.text})`);
    switch (op) {
      case '==': return JSON.stringify(left) === JSON.stringify(right);
      case '!=': return JSON.stringify(left) !== JSON.stringify(right);
      case '=~': return String(left).toLowerCase() === String(right).toLowerCase();
      case '!~': return String(left).toLowerCase() !== String(right).toLowerCase();
      case '&&': return left && right;
      case '||': return left || right;
      case '<': return left < right;
      case '<=': return left <= right;
      case '>': return left > right;
      case '>=': return left >= right;
      case '+': return left + right;
      case '-': return left - right;
      case '*': return left * right;
      case '/': return Math.trunc(left / right);
      case '%': return left % right;
      case '??': return left ?? right;
      default: throw new EvalError(`unsupported operator ${op}`);
    }
  }

  evalFor(node, scope) {
    const named = namedChildren(node).filter((c) => c.type !== 'comment');
    let itemName;
    let indexName = null;
    let rest;
    if (named[0].type === 'for_loop_parameters') {
      const ps = namedChildren(named[0]);
      itemName = ps[0].text;
      indexName = ps[1] ? ps[1].text : null;
      rest = named.slice(1);
    } else {
      itemName = named[0].text;
      rest = named.slice(1);
    }
    const list = this.eval(rest[0], scope);
    const body = node.childForFieldName('body') || rest[rest.length - 1];
    if (isUnknown(list)) return new Unknown(`loop over ${list.why}`);
    if (!Array.isArray(list)) throw new EvalError(`loop over a non-array at line ${node.startPosition.row + 1}`);
    const out = [];
    list.forEach((item, index) => {
      const inner = Object.assign({}, scope, { [itemName]: item });
      if (indexName) inner[indexName] = index;
      if (body.type === 'if_statement') {
        const [cond, value] = namedChildren(body);
        const c = this.eval(cond, inner);
        if (isUnknown(c)) throw new EvalError(`unknown loop filter at line ${body.startPosition.row + 1}`);
        if (c) out.push(this.eval(value, inner));
      } else out.push(this.eval(body, inner));
    });
    return out;
  }

  evalCall(node, scope) {
    const fnNode = node.childForFieldName('function');
    const argNodes = namedChildren(node.childForFieldName('arguments')).filter((c) => c.type !== 'comment');
    const fn = fnNode.text;
    if (fn === 'subscriptionResourceId' && argNodes.length === 2) {
      // Deterministic apart from the subscription id, which is all the checks need (role ids).
      const [type, name] = argNodes.map((a) => this.eval(a, scope));
      if (!isUnknown(type) && !isUnknown(name)) return `/subscriptions/<subscription>/providers/${type}/${name}`;
    }
    const deploymentTime = ['uniqueString', 'guid', 'resourceGroup', 'subscription', 'tenant', 'subscriptionResourceId',
      'resourceId', 'reference', 'deployment', 'environment', 'newGuid', 'utcNow', 'managementGroup', 'tenantResourceId',
      'extensionResourceId', 'listKeys', 'list'];
    if (deploymentTime.includes(fn) || fn.startsWith('list')) return new Unknown(`${fn}()`);
    if (fn === 'loadJsonContent' || fn === 'loadTextContent') {
      const rel = this.eval(argNodes[0], scope);
      const text = fs.readFileSync(path.resolve(this.t.dir, rel), 'utf8');
      if (fn === 'loadTextContent') return text;
      let value = JSON.parse(text);
      if (argNodes[1]) {
        const jsonPath = this.eval(argNodes[1], scope);
        for (const part of jsonPath.replace(/^\$\.?/, '').split('.').filter(Boolean)) value = value[part];
      }
      return value;
    }
    const args = argNodes.map((a) => this.eval(a, scope));
    const anyUnknown = args.some(isUnknown);
    switch (fn) {
      case 'concat':
        if (anyUnknown) return new Unknown('concat()');
        return Array.isArray(args[0]) ? [].concat(...args) : args.join('');
      case 'union': {
        if (anyUnknown) return new Unknown('union()');
        if (Array.isArray(args[0])) return [...new Set([].concat(...args).map((x) => JSON.stringify(x)))].map((x) => JSON.parse(x));
        return Object.assign({}, ...args);
      }
      case 'toLower': return anyUnknown ? new Unknown('toLower()') : String(args[0]).toLowerCase();
      case 'toUpper': return anyUnknown ? new Unknown('toUpper()') : String(args[0]).toUpperCase();
      case 'replace': return anyUnknown ? new Unknown('replace()') : String(args[0]).split(args[1]).join(args[2]);
      case 'take':
        if (anyUnknown) return new Unknown('take()');
        return Array.isArray(args[0]) ? args[0].slice(0, args[1]) : String(args[0]).slice(0, args[1]);
      case 'empty':
        if (anyUnknown) return new Unknown('empty()');
        if (args[0] === null || args[0] === '') return true;
        if (Array.isArray(args[0])) return args[0].length === 0;
        if (typeof args[0] === 'object') return Object.keys(args[0]).length === 0;
        return false;
      case 'length':
        if (anyUnknown) return new Unknown('length()');
        return Array.isArray(args[0]) || typeof args[0] === 'string' ? args[0].length : Object.keys(args[0]).length;
      case 'contains':
        if (anyUnknown) return new Unknown('contains()');
        if (typeof args[0] === 'string') return args[0].includes(args[1]);
        if (Array.isArray(args[0])) return args[0].some((x) => JSON.stringify(x) === JSON.stringify(args[1]));
        return Object.prototype.hasOwnProperty.call(args[0], args[1]);
      case 'string': return anyUnknown ? new Unknown('string()') : (typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]));
      case 'json': return anyUnknown ? new Unknown('json()') : JSON.parse(args[0]);
      default:
        // Decorators such as description() never reach here; anything else is a function this
        // evaluator does not model, and its result is unknown.
        return new Unknown(`${fn}()`);
    }
  }
}

function objectProperty(obj, name) {
  return obj && typeof obj === 'object' && !isUnknown(obj) ? obj[name] : undefined;
}

function bodyObjectNode(resource) {
  // resource body: object | for_statement (body object) | if_statement (cond, object)
  return resource.body;
}

/**
 * Every resource a template deploys for the given parameters, following modules. Each entry has
 * the module path, symbol, type, evaluated name, condition (true/false/Unknown) and properties.
 * Loops expand to one entry per item.
 */
function expandResources(file, paramValues, modulePath = []) {
  const t = loadTemplate(file);
  const ev = new Evaluator(t, paramValues);
  const out = [];
  const expandBody = (decl, bodyNode, kind) => {
    const instances = [];
    if (bodyNode.type === 'for_statement') {
      // Evaluate the loop but keep every item's object (resources loop over objects).
      const values = ev.eval(bodyNode, {});
      if (isUnknown(values)) throw new EvalError(`${path.basename(t.file)}:${decl.line}: cannot tell what ${kind} '${decl.symbol}' loops over (${values.why})`);
      for (const v of values) instances.push({ condition: true, value: v });
    } else if (bodyNode.type === 'if_statement') {
      const [cond, obj] = namedChildren(bodyNode);
      const c = ev.eval(cond, {});
      instances.push({ condition: c, value: ev.eval(obj, {}) });
    } else {
      instances.push({ condition: true, value: ev.eval(bodyNode, {}) });
    }
    return instances;
  };
  for (const r of t.resources) {
    if (r.existing) continue;
    for (const inst of expandBody(r, bodyObjectNode(r), 'resource')) {
      out.push({ module: modulePath.join('/'), symbol: r.symbol, type: r.type.split('@')[0], apiVersion: r.type.split('@')[1],
        name: objectProperty(inst.value, 'name'), condition: inst.condition, kind: objectProperty(inst.value, 'kind'),
        sku: objectProperty(inst.value, 'sku'), properties: objectProperty(inst.value, 'properties') });
    }
  }
  for (const m of t.modules) {
    for (const inst of expandBody(m, m.body, 'module')) {
      if (inst.condition === false) continue;
      const params = objectProperty(inst.value, 'params') || {};
      const child = path.resolve(t.dir, m.path);
      for (const r of expandResources(child, params, modulePath.concat(m.symbol))) {
        if (isUnknown(inst.condition)) r.condition = inst.condition;
        out.push(r);
      }
    }
  }
  return out;
}

module.exports = { loadTemplate, Evaluator, expandResources, Unknown, isUnknown, EvalError };
