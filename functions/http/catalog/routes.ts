/**
 * The catalog function's route table. The product catalog.
 * Metadata only (roles, schemas, summaries); the operations are in ./handler.ts.
 */
import {
  CreateProductBody,
  ListProductsQuery,
  Product,
  ProductIdParams,
  ProductPage,
  UpdateProductBody,
} from '../../../domain/catalog/schemas';
import { ALL, CATALOG_EDITORS, defineRoutes } from '../../shared/route';

export const catalogRoutes = defineRoutes('catalog', [
  {
    id: 'createProduct',
    method: 'POST',
    path: '/products',
    access: CATALOG_EDITORS,
    tag: 'Products',
    summary: 'Add a product to the catalog (SKUs are unique per tenant)',
    request: { body: CreateProductBody },
    idempotent: true,
    response: { status: 201, schema: Product, description: 'The created product' },
    errors: [409, 413, 422],
  },
  {
    id: 'listProducts',
    method: 'GET',
    path: '/products',
    access: ALL,
    tag: 'Products',
    summary: 'The catalog in SKU order, filtered by SKU prefix or active flag',
    request: { query: ListProductsQuery },
    response: { status: 200, schema: ProductPage, description: 'One page of products' },
  },
  {
    id: 'getProduct',
    method: 'GET',
    path: '/products/{id}',
    access: ALL,
    tag: 'Products',
    summary: 'Read a product',
    request: { params: ProductIdParams },
    response: { status: 200, schema: Product, description: 'The product' },
    errors: [404],
  },
  {
    id: 'updateProduct',
    method: 'PATCH',
    path: '/products/{id}',
    access: CATALOG_EDITORS,
    tag: 'Products',
    summary: 'Change a product (prices, tax category, active flag…)',
    request: { params: ProductIdParams, body: UpdateProductBody },
    ifMatch: true,
    response: { status: 200, schema: Product, description: 'The changed product' },
    errors: [404, 409, 412, 413, 422],
  },
]);
