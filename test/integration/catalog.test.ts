import { beforeAll, describe, expect, it } from 'vitest';
import { createProduct, getProduct, listProducts, updateProduct } from '../../domain/catalog';
import { ConflictError, NotFoundError, PreconditionFailedError, UnprocessableError } from '../../domain/errors';
import { putSettings } from '../../domain/settings';
import type { Deps } from '../../domain/shared/ports';
import { createTestDeps, people, rejection } from '../support/dynamo';

let deps: Deps;
beforeAll(async () => {
  deps = await createTestDeps();
});

const eur = (amount: number) => [{ amount, currency: 'EUR' }];

describe('product catalog', () => {
  it('creates products with unique SKUs (case-insensitive), naming the holder of a taken SKU', async () => {
    const { alice } = people();
    const widget = await createProduct(deps, alice, { sku: 'WID-1', name: 'Widget', unitPrices: eur(1500) });
    expect(widget).toMatchObject({ sku: 'WID-1', unit: 'each', taxCategory: 'standard', active: true, version: 1 });
    const taken = await rejection(createProduct(deps, alice, { sku: 'wid-1', name: 'Copy', unitPrices: eur(1) }));
    expect(taken).toBeInstanceOf(ConflictError);
    expect((taken as ConflictError).details).toMatchObject({ field: 'sku', existing: { type: 'product', id: widget.id } });
  });

  it("accepts only the tenant's tax categories", async () => {
    const { alice, dana } = people();
    expect(await rejection(createProduct(deps, alice, { sku: 'B-1', name: 'Book', unitPrices: eur(900), taxCategory: 'reduced' }))).toBeInstanceOf(
      UnprocessableError,
    );
    await putSettings(deps, dana, { baseCurrency: 'EUR', lostReasons: ['price'], taxRates: { standard: '19', reduced: '7' } }, {});
    await expect(createProduct(deps, alice, { sku: 'B-1', name: 'Book', unitPrices: eur(900), taxCategory: 'reduced' })).resolves.toMatchObject({
      taxCategory: 'reduced',
    });
  });

  it('changes a product under If-Match; a new SKU frees the old one', async () => {
    const { alice } = people();
    const product = await createProduct(deps, alice, { sku: 'OLD-1', name: 'Gadget', unitPrices: eur(100) });
    const changed = await updateProduct(deps, alice, product.id, { sku: 'NEW-1', unitPrices: [...eur(120), { amount: 130, currency: 'USD' }] }, { ifMatch: 1 });
    expect(changed).toMatchObject({ sku: 'NEW-1', version: 2 });
    expect(await rejection(updateProduct(deps, alice, product.id, { active: false }, { ifMatch: 1 }))).toBeInstanceOf(PreconditionFailedError);
    await expect(createProduct(deps, alice, { sku: 'OLD-1', name: 'Reuse', unitPrices: eur(1) })).resolves.toBeDefined();
  });

  it('lists in SKU order by prefix and active flag; other tenants see nothing', async () => {
    const { alice } = people();
    await createProduct(deps, alice, { sku: 'SVC-2', name: 'Support', unitPrices: eur(100) });
    await createProduct(deps, alice, { sku: 'LIC-1', name: 'License', unitPrices: eur(100) });
    const retired = await createProduct(deps, alice, { sku: 'SVC-1', name: 'Old support', unitPrices: eur(100), active: false });
    const skus = async (input: Parameters<typeof listProducts>[2]) => (await listProducts(deps, alice, input)).items.map((p) => p.sku);
    expect(await skus({})).toEqual(['LIC-1', 'SVC-1', 'SVC-2']);
    expect(await skus({ q: 'svc' })).toEqual(['SVC-1', 'SVC-2']);
    expect(await skus({ active: 'true' })).toEqual(['LIC-1', 'SVC-2']);
    const stranger = people().alice;
    expect((await listProducts(deps, stranger, {})).items).toEqual([]);
    expect(await rejection(getProduct(deps, stranger, retired.id))).toBeInstanceOf(NotFoundError);
  });
});
