import type * as TS from 'typescript';

/*
 * Banned routes, found in a submission's source by the grader (outside the student's kernel, so nothing a
 * student's code does at run time changes the finding). A question may ban names (the references it is
 * graded against); an answer reaches them by writing the name (directly or through an alias: `const e =
 * exact`), by a property or string of that name (`pkg.exact`, `pkg['exact']`), by importing the package or
 * a file again, by `require`, or by `eval` / `new Function`. Code that builds a name at run time from
 * pieces is not seen: the docs say so.
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

const LOADERS = new Set(['require', 'createRequire', 'mainModule', 'eval', 'Function']);
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
 */
export function bannedRoutes(source: string, banned: readonly string[]): RouteHit[] {
  if (banned.length === 0) return [];
  const t = ts();
  const names = new Set(banned);
  const file = t.createSourceFile('cell.ts', source, t.ScriptTarget.ES2022, true, t.ScriptKind.TS);
  const hits: RouteHit[] = [];
  const hit = (route: string, node: TS.Node): void => {
    hits.push({ route, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 });
  };
  const visit = (node: TS.Node): void => {
    if (t.isIdentifier(node)) {
      if (names.has(node.text)) hit(node.text, node);
      else if (LOADERS.has(node.text)) hit(node.text, node);
    } else if (t.isStringLiteralLike(node) && names.has(node.text)) {
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
