/** Use cases: the product catalog (managers and admins edit, everyone reads). */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { NotFoundError, UnprocessableError } from '../errors';
import { getSettings } from '../settings';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { applyPatch, compact, createdFields, diffFields } from '../shared/records';
import { uniqueValueWrites, type UniqueClaim } from '../shared/unique-values';
import { createWrite, versionedWrite, type WriteOptions } from '../shared/versioned-write';
import type { CreateProductInput, ListProductsInput, ProductView, UpdateProductInput } from './schemas';

export type ProductItem = EntityItem<SalesDb['entities']['product']>;

const skuClaim = (sku: string): UniqueClaim[] => [{ kind: 'product-sku', value: sku.trim().toLowerCase() }];

async function assertTaxCategory(deps: Deps, actor: Actor, taxCategory: string): Promise<void> {
  const { taxRates } = await getSettings(deps, actor);
  if (!Object.hasOwn(taxRates, taxCategory)) {
    throw new UnprocessableError(`Tax category "${taxCategory}" is not in the tenant's tax rates`, [
      { path: 'body.taxCategory', message: `Must be one of ${Object.keys(taxRates).join(', ')} (see /settings)` },
    ]);
  }
}

export async function createProduct(deps: Deps, actor: Actor, input: CreateProductInput): Promise<ProductView> {
  const taxCategory = input.taxCategory ?? 'standard';
  await assertTaxCategory(deps, actor, taxCategory);
  return createWrite(deps, async () => {
    const now = deps.clock.now().toISOString();
    const product: ProductItem = {
      tenantId: actor.tenantId,
      productId: deps.ids.next(),
      sku: input.sku,
      name: input.name,
      description: input.description,
      unitPrices: input.unitPrices,
      unit: input.unit ?? 'each',
      taxCategory,
      active: input.active ?? true,
      createdAt: now,
      createdBy: actor.userId,
      updatedAt: now,
      updatedBy: actor.userId,
      version: 1,
    };
    const view = toProductView(product);
    const log = logChange(deps, actor, now, {
      entityType: 'product',
      entityId: product.productId,
      action: 'create',
      changes: createdFields(view),
      events: [{ type: 'product.created', data: { product: view } }],
    });
    const guards = await uniqueValueWrites(deps, actor.tenantId, {
      before: [],
      after: skuClaim(product.sku),
      holder: { holderType: 'product', holderId: product.productId },
      allowDuplicate: false,
    });
    return {
      result: view,
      write: (tx) => {
        tx.put('product', tx.entities.product.create(product).commit());
        guards(tx);
        tx.log(log);
      },
    };
  });
}

export async function getProduct(deps: Deps, actor: Actor, productId: string): Promise<ProductView> {
  return toProductView(await readProduct(deps, actor.tenantId, productId));
}

export async function readProduct(deps: Deps, tenantId: string, productId: string): Promise<ProductItem> {
  const { data } = await deps.db.entities.product.get({ tenantId, productId }).go({ consistent: true });
  if (!data) throw new NotFoundError(`Product ${productId} not found`);
  return data;
}

export async function listProducts(deps: Deps, actor: Actor, input: ListProductsInput): Promise<Page<ProductView>> {
  const scope = [actor.tenantId, 'products', input.q, input.active].join('|');
  const base = deps.db.entities.product.query.bySku({ tenantId: actor.tenantId });
  const ranged = input.q === undefined ? base : base.begins({ sku: input.q });
  const filtered = ranged.where((attr, op) => (input.active === undefined ? '' : op.eq(attr.active, input.active === 'true')));
  const page = await readPage(deps, scope, input, filtered, { filtered: input.active !== undefined });
  return { ...page, items: page.items.map(toProductView) };
}

export async function updateProduct(
  deps: Deps,
  actor: Actor,
  productId: string,
  patch: UpdateProductInput,
  options: WriteOptions = {},
): Promise<ProductView> {
  if (patch.taxCategory !== undefined) await assertTaxCategory(deps, actor, patch.taxCategory);
  return versionedWrite(deps, options, {
    read: () => readProduct(deps, actor.tenantId, productId),
    version: (current) => current.version,
    build: async (current) => {
      const next = applyPatch(current, patch);
      const changes = diffFields(current, next);
      if (Object.keys(changes).length === 0) return { result: toProductView(current) };
      const now = deps.clock.now().toISOString();
      const saved: ProductItem = { ...next, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
      const log = logChange(deps, actor, now, {
        entityType: 'product',
        entityId: productId,
        action: 'update',
        changes,
        events: [{ type: 'product.updated', data: { changes } }],
      });
      const guards = await uniqueValueWrites(deps, actor.tenantId, {
        before: skuClaim(current.sku),
        after: skuClaim(saved.sku),
        holder: { holderType: 'product', holderId: productId },
        allowDuplicate: false,
      });
      return {
        result: toProductView(saved),
        write: (tx) => {
          tx.record(
            'product',
            tx.entities.product
              .put(saved)
              .where((attr, op) => op.eq(attr.version, current.version))
              .commit(),
          );
          guards(tx);
          tx.log(log);
        },
      };
    },
  });
}

export function toProductView(item: ProductItem): ProductView {
  return compact({
    id: item.productId,
    sku: item.sku,
    name: item.name,
    description: item.description,
    unitPrices: item.unitPrices,
    unit: item.unit,
    taxCategory: item.taxCategory,
    active: item.active,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
    version: item.version,
  });
}
