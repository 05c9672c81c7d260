/** The product catalog. */
import { createProduct, getProduct, listProducts, updateProduct } from '../../../domain/catalog';
import { created, ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { catalogRoutes } from './routes';

export const handler = createHttpHandler(catalogRoutes, {
  createProduct: async ({ deps, actor, body }) => {
    const product = await createProduct(deps, actor, body);
    return created(product, `/products/${product.id}`);
  },
  listProducts: async ({ deps, actor, query }) => ok(await listProducts(deps, actor, query)),
  getProduct: async ({ deps, actor, params }) => {
    const product = await getProduct(deps, actor, params.id);
    return ok(product, product.version);
  },
  updateProduct: async ({ deps, actor, params, body, ifMatch }) => {
    const product = await updateProduct(deps, actor, params.id, body, { ifMatch });
    return ok(product, product.version);
  },
});
