// Static checks that keep src-main/core sans-IO (no clock, timers, sockets, files, randomness,
// Electron or native modules) and keep the layer arrows pointing down. Uses the TypeScript parser,
// so comments and string contents never trigger a finding and every finding has a line number.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface Finding {
  /** File as given to the scanner. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** What is banned, e.g. `import "node:fs"` or `Date.now`. */
  readonly rule: string;
}

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** Why `specifier` may not be imported from core, or undefined when it may. */
export function bannedSpecifier(specifier: string): string | undefined {
  if (specifier === 'electron' || specifier.startsWith('electron/')) return 'electron';
  if (specifier.startsWith('node:')) return 'node builtin';
  if (specifier === 'better-sqlite3' || specifier.startsWith('better-sqlite3/')) return 'better-sqlite3';
  const head = specifier.split('/')[0] ?? specifier;
  if (BUILTINS.has(specifier) || BUILTINS.has(head)) return 'node builtin';
  return undefined;
}

/** Globals that read a clock, arm a timer or draw randomness. Keys: object; values: member names. */
const BANNED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  Date: ['now'],
  performance: ['now', 'timeOrigin'],
  Math: ['random'],
};
const BANNED_GLOBALS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);

function parse(source: string, file: string): ts.SourceFile {
  return ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

/** Every module specifier in the file: import/export from, import(), require(), import x = require(), import('x') types. */
export function moduleSpecifiers(sf: ts.SourceFile): Array<{ specifier: string; line: number }> {
  const out: Array<{ specifier: string; line: number }> = [];
  const add = (lit: ts.Node | undefined, at: ts.Node): void => {
    if (lit && ts.isStringLiteralLike(lit)) out.push({ specifier: lit.text, line: lineOf(sf, at) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isImport || isRequire) add(node.arguments[0], node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** `Date`, or `globalThis.Date` (likewise window/self/global): the global's name, else undefined. */
function globalName(expr: ts.Expression): string | undefined {
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression) && GLOBAL_OBJECTS.has(expr.expression.text)) {
    return expr.name.text;
  }
  return undefined;
}

/** Is this identifier a name being declared or a member of something other than a global object? */
function isNonReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) {
    return !(ts.isIdentifier(p.expression) && GLOBAL_OBJECTS.has(p.expression.text));
  }
  if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p)) return p.name === id;
  if (ts.isMethodDeclaration(p) || ts.isMethodSignature(p)) return p.name === id;
  if (ts.isQualifiedName(p)) return p.right === id;
  return false;
}

/** Findings for IO, clocks, timers and randomness in one core source file. */
export function scanSansIo(source: string, file: string): Finding[] {
  const sf = parse(source, file);
  const findings: Finding[] = [];
  for (const { specifier, line } of moduleSpecifiers(sf)) {
    const why = bannedSpecifier(specifier);
    if (why) findings.push({ file, line, rule: `import "${specifier}" (${why})` });
  }
  for (const ref of sf.typeReferenceDirectives) {
    if (ref.fileName === 'node' || bannedSpecifier(ref.fileName)) {
      const line = sf.getLineAndCharacterOfPosition(ref.pos).line + 1;
      findings.push({ file, line, rule: `/// <reference types="${ref.fileName}" />` });
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const obj = globalName(node.expression);
      if (obj && BANNED_MEMBERS[obj]?.includes(node.name.text)) {
        findings.push({ file, line: lineOf(sf, node), rule: `${obj}.${node.name.text}` });
      }
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      const obj = globalName(node.expression);
      if (obj && BANNED_MEMBERS[obj]?.includes(node.argumentExpression.text)) {
        findings.push({ file, line: lineOf(sf, node), rule: `${obj}.${node.argumentExpression.text}` });
      }
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && globalName(node.expression) === 'Date') {
      // new Date(...) and Date() both read the clock when called without arguments; any Date
      // construction in core is treated as a clock read: times are plain numbers (seconds).
      findings.push({ file, line: lineOf(sf, node), rule: ts.isNewExpression(node) ? 'new Date(' : 'Date()' });
    } else if (ts.isIdentifier(node) && BANNED_GLOBALS.has(node.text) && !isNonReference(node)) {
      findings.push({ file, line: lineOf(sf, node), rule: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

const UPPER_LAYERS = ['node', 'app', 'cli', 'bridge'] as const;

/**
 * Findings for imports from core into the layers above it (src-main/node, app, cli, bridge).
 * `file` is the file's absolute path; `srcMain` the absolute path of src-main.
 */
export function scanLayering(source: string, file: string, srcMain: string): Finding[] {
  const sf = parse(source, file);
  const findings: Finding[] = [];
  for (const { specifier, line } of moduleSpecifiers(sf)) {
    let target: string | undefined;
    if (specifier.startsWith('.')) target = resolve(dirname(file), specifier);
    else if (specifier.startsWith('/')) target = specifier;
    else if (specifier.startsWith('src-main/')) target = resolve(srcMain, '..', specifier);
    if (target === undefined) continue;
    const [layer] = relative(srcMain, target).split(sep);
    if (layer !== undefined && (UPPER_LAYERS as readonly string[]).includes(layer)) {
      findings.push({ file, line, rule: `import "${specifier}" reaches up into src-main/${layer}` });
    }
  }
  return findings;
}

export function formatFindings(findings: readonly Finding[], root: string): string {
  return findings.map((f) => `${relative(root, f.file) || f.file}:${f.line}: ${f.rule}`).join('\n');
}
