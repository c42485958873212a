// The package ships two builds (ESM in dist/esm, CommonJS in dist/cjs), chosen
// by `exports` conditions: an ESM app `import`s the one, a CommonJS app
// `require`s the other, and each app loads one copy of every class. A process
// that loads both (an ESM app with a CommonJS dependency that requires the
// package) would hold two of each: two DI tokens for PhoneVerificationService
// and two error hierarchies. What the two builds share is the global symbol
// registry, so this file uses it twice: errors carry a brand that
// `instanceof` reads across builds, and each build says it is loaded, so the
// second one warns.

/** The key shared by both builds. */
const PACKAGE_NAME = '@acedata-kit/nestjs-phone-verification';

/**
 * The property on every error of the library that lists the names of its
 * classes, from its own to `PhoneVerificationError`: an error of the other
 * build is `instanceof` a class of this one when its list has the class's name.
 */
export const ERROR_CLASSES = Symbol.for(`${PACKAGE_NAME}:error-classes`);

/** Which of the two builds this file was loaded from. */
export type BuildFormat = 'esm' | 'cjs';

/** The warning code a process gets when it loads both builds. */
export const DUAL_PACKAGE_WARNING = 'PHONE_VERIFICATION_DUAL_PACKAGE';

const LOADED = Symbol.for(`${PACKAGE_NAME}:loaded-builds`);

/** This build's format: CommonJS has `module` and `exports`, ESM has neither. */
export function currentBuildFormat(): BuildFormat {
  return typeof module === 'object' && typeof exports === 'object'
    ? 'cjs'
    : 'esm';
}

/**
 * Records that the `format` build is loaded, and warns (once, with
 * {@link DUAL_PACKAGE_WARNING}) when the other build already is.
 */
export function registerBuild(format: BuildFormat): void {
  const registry = globalThis as { [LOADED]?: Set<BuildFormat> };
  const loaded = (registry[LOADED] ??= new Set());
  if (loaded.has(format)) return;
  loaded.add(format);
  if (loaded.size === 2) {
    process.emitWarning(
      `${PACKAGE_NAME} is loaded twice in this process, as ESM (import) and as ` +
        'CommonJS (require). Its errors still match instanceof across both, but ' +
        'PhoneVerificationService and the module are two different classes: ' +
        'inject what the module you registered came from. Load the package one ' +
        'way (import it, or require it) everywhere in the app.',
      { code: DUAL_PACKAGE_WARNING },
    );
  }
}

registerBuild(currentBuildFormat());
