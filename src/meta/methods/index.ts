import { fomaml } from './fomaml';
import { imaml } from './imaml';
import { maml } from './maml';
import { reptile } from './reptile';

export * from './types';
export { maml, fomaml, reptile, imaml };

/**
 * Every meta-gradient method by name, in the order errors list them: `metaGradient` dispatches through it.
 *
 * @example
 * import { METHODS } from 'maml-lab/meta';
 * Object.keys(METHODS); // ['maml', 'fomaml', 'reptile', 'imaml']
 */
export const METHODS = { maml, fomaml, reptile, imaml };

/** The meta-gradient methods' names. */
export type Method = keyof typeof METHODS;
