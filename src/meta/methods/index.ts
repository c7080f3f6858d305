import { fomaml } from './fomaml';
import { imaml } from './imaml';
import { maml } from './maml';
import { reptile } from './reptile';
import type { Method, MetaGradientMethod } from './types';

export * from './types';
export { maml, fomaml, reptile, imaml };

/**
 * Every meta-gradient method by name, in the order errors list them: `metaGradient` dispatches through it.
 *
 * @example
 * import { METHODS } from 'maml-lab/meta';
 * Object.keys(METHODS); // ['maml', 'fomaml', 'reptile', 'imaml']
 */
export const METHODS = { maml, fomaml, reptile, imaml } satisfies Record<Method, MetaGradientMethod>;
