import type * as TS from 'typescript';

/*
 * Banned routes, found in a submission's source by the grader (outside the student's kernel, so nothing a
 * student's code does at run time changes the finding). A question may ban names (the references it is
 * graded against); an answer reaches them by writing the name (directly or through an alias: `const e =
 * exact`), by a property or string of that name (`pkg.exact`, `pkg['exact']`), by importing the package or
 * a file again, by `require`, by tslab's `exports` / `arguments` / `__tslab__` (which reach every binding
 * without naming it), or by `eval` / `Function`. A banned name the student declares as their own
 * helper is theirs. Code that builds a name at run time from pieces is not seen: the docs say so.
 */

/** One banned route in a cell: what was used, and the line (from 1). */
export interface RouteHit {
  route: string;
  line: number;
}

// tslab's own TypeScript (a dependency of tslab, so always installed with it): the grader parses cells
// with the compiler the kernel compiles them with.
let typescript: typeof TS | undefined;
function ts(): typeof TS {
  typescript ??= require('@tslab/typescript-for-tslab') as typeof TS;
  return typescript;
}

// Names that load code or reach every binding without naming it: tslab runs each cell as
// `(function (exports, require) { … })(__tslab__.exports, …)`, so `exports` enumerates every top-level
// binding, imports included, and `arguments` at a cell's top level holds `require`.
const LOADERS = new Set(['require', 'createRequire', 'mainModule', 'exports', 'arguments', '__tslab__']);
// Names that run a string as code; a type (`f: Function`), a method (`model.eval()`) and `x instanceof
// Function` are innocent, any other use (a call, an alias, `(0, eval)(…)`) is not.
const CODE_RUNNERS = new Set(['eval', 'Function']);
const LOADER_MODULES = new Set(['module', 'node:module', 'vm', 'node:vm']);

function importRoute(specifier: string): string | undefined {
  if (specifier === 'maml-lab' || specifier.startsWith('maml-lab/')) return `an import of '${specifier}'`;
  if (specifier.startsWith('.') || specifier.startsWith('/')) return `an import of the file '${specifier}'`;
  if (LOADER_MODULES.has(specifier)) return `an import of '${specifier}'`;
  return undefined;
}

/**
 * The banned routes in one cell's TypeScript source, given the banned names (none when `banned` is empty:
 * a question that bans nothing allows every route).
 *
 * @example
 * import { bannedRoutes } from 'maml-lab/homework';
 * bannedRoutes('const e = exact;\nconst g = e.metaGradientByProduct(inst, 2);', ['exact']); // [{ route: "exact", line: 1 }]
 * bannedRoutes("const m = require('maml-lab');", ['exact']).map((h) => h.route); // ["an import of 'maml-lab'", "require"]
 * bannedRoutes('// exact is not used here\nconst s = "exactly";', ['exact']); // []
 * bannedRoutes('const r = Object.values(exports);\nconst f: Function = Math.max;', ['exact']).map((h) => h.route); // ["exports"]
 */
export function bannedRoutes(source: string, banned: readonly string[], own: ReadonlySet<string> = new Set()): RouteHit[] {
  if (banned.length === 0) return [];
  const t = ts();
  // A banned name the student declares as their own (a helper they wrote) is theirs, not the reference.
  const names = new Set(banned.filter((b) => !own.has(b)));
  const file = t.createSourceFile('cell.ts', source, t.ScriptTarget.ES2022, true, t.ScriptKind.TS);
  const hits: RouteHit[] = [];
  const hit = (route: string, node: TS.Node): void => {
    hits.push({ route, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 });
  };
  const isPropertyName = (node: TS.Identifier): boolean => {
    const parent = node.parent;
    return (t.isPropertyAccessExpression(parent) && parent.name === node) || (t.isPropertyAssignment(parent) && parent.name === node)
      || (t.isMethodDeclaration(parent) && parent.name === node) || (t.isPropertyDeclaration(parent) && parent.name === node);
  };
  const isInstanceofTarget = (node: TS.Node): boolean => t.isBinaryExpression(node.parent) && node.parent.operatorToken.kind === t.SyntaxKind.InstanceOfKeyword && node.parent.right === node;
  const visit = (node: TS.Node): void => {
    if (t.isTypeNode(node)) return; // types are erased: nothing in them runs
    if (t.isIdentifier(node)) {
      if (names.has(node.text) && !(t.isPropertyAssignment(node.parent) && node.parent.name === node)) hit(node.text, node);
      else if (LOADERS.has(node.text) && (!isPropertyName(node) || node.text === '__tslab__')) hit(node.text, node);
      else if (CODE_RUNNERS.has(node.text) && !isPropertyName(node) && !isInstanceofTarget(node)) hit(node.text, node);
    } else if (t.isStringLiteralLike(node) && (names.has(node.text) || LOADERS.has(node.text)) && !t.isImportDeclaration(node.parent) && !t.isExternalModuleReference(node.parent)) {
      hit(`'${node.text}'`, node);
    }
    if (t.isImportDeclaration(node) && t.isStringLiteral(node.moduleSpecifier)) {
      const route = importRoute(node.moduleSpecifier.text);
      if (route) hit(route, node);
    } else if (t.isCallExpression(node) && (node.expression.kind === t.SyntaxKind.ImportKeyword || (t.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [arg] = node.arguments;
      const route = arg !== undefined && t.isStringLiteralLike(arg) ? importRoute(arg.text) : 'an import of a computed path';
      if (route) hit(route, node);
    } else if (t.isExternalModuleReference(node) && t.isStringLiteral(node.expression)) {
      const route = importRoute(node.expression.text);
      if (route) hit(route, node);
    }
    t.forEachChild(node, visit);
  };
  visit(file);
  return hits;
}

/**
 * The names a cell declares as its own at its top level, simply: `function f`, `class C`, `const x = …`
 * (not destructured, which could unpack a banned value under its own name).
 *
 * @example
 * import { ownDeclarations } from 'maml-lab/homework';
 * ownDeclarations('function hessianVectorProduct() {}\nconst { exact } = lib;\nconst h = 1;').sort(); // ["h", "hessianVectorProduct"]
 */
export function ownDeclarations(source: string): string[] {
  const t = ts();
  const file = t.createSourceFile('cell.ts', source, t.ScriptTarget.ES2022, true, t.ScriptKind.TS);
  const names: string[] = [];
  for (const statement of file.statements) {
    if ((t.isFunctionDeclaration(statement) || t.isClassDeclaration(statement)) && statement.name) names.push(statement.name.text);
    else if (t.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) if (t.isIdentifier(d.name)) names.push(d.name.text);
  }
  return names;
}

function bindingNames(t: typeof TS, name: TS.BindingName, into: Set<string>): void {
  if (t.isIdentifier(name)) into.add(name.text);
  else for (const element of name.elements) if (!t.isOmittedExpression(element)) bindingNames(t, element.name, into);
}

/**
 * The names a cell declares at its top level (variables, functions, classes, enums, imports) or assigns
 * anywhere (`x = …`, `x += …`, `x++`): what a later cell would see changed.
 *
 * @example
 * import { namesWritten } from 'maml-lab/homework';
 * namesWritten("import { q } from 'x';\nconst [a, { b }] = f();\nfunction g() { c = 1; }\nd++;").sort(); // ["a", "b", "c", "d", "g", "q"]
 */
export function namesWritten(source: string): string[] {
  const t = ts();
  const file = t.createSourceFile('cell.ts', source, t.ScriptTarget.ES2022, true, t.ScriptKind.TS);
  const names = new Set<string>();
  for (const statement of file.statements) {
    if (t.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) bindingNames(t, d.name, names);
    else if ((t.isFunctionDeclaration(statement) || t.isClassDeclaration(statement) || t.isEnumDeclaration(statement)) && statement.name) names.add(statement.name.text);
    else if (t.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && t.isNamespaceImport(bindings)) names.add(bindings.name.text);
      else if (bindings) for (const e of bindings.elements) names.add(e.name.text);
    } else if (t.isImportEqualsDeclaration(statement)) names.add(statement.name.text);
  }
  const visit = (node: TS.Node): void => {
    if (t.isBinaryExpression(node) && node.operatorToken.kind >= t.SyntaxKind.FirstAssignment && node.operatorToken.kind <= t.SyntaxKind.LastAssignment && t.isIdentifier(node.left)) names.add(node.left.text);
    if ((t.isPrefixUnaryExpression(node) || t.isPostfixUnaryExpression(node)) && (node.operator === t.SyntaxKind.PlusPlusToken || node.operator === t.SyntaxKind.MinusMinusToken) && t.isIdentifier(node.operand)) names.add(node.operand.text);
    t.forEachChild(node, visit);
  };
  visit(file);
  return [...names];
}
