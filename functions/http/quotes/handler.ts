/** Quotes: priced on the server, versioned, sent, decided, rendered. */
import {
  createQuote,
  decideQuote,
  getQuote,
  listQuotes,
  quoteForDocument,
  renderQuoteDocument,
  reviseQuote,
  updateQuote,
} from '../../../domain/quotes';
import { created, htmlDocument, ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { quoteRoutes } from './routes';

export const handler = createHttpHandler(quoteRoutes, {
  createQuote: async ({ deps, actor, params, body }) => {
    const quote = await createQuote(deps, actor, params.id, body);
    return created(quote, `/quotes/${quote.id}`);
  },
  listQuotes: async ({ deps, actor, params, query }) => ok(await listQuotes(deps, actor, params.id, query)),
  getQuote: async ({ deps, actor, params }) => {
    const quote = await getQuote(deps, actor, params.id);
    return ok(quote, quote.version);
  },
  updateQuote: async ({ deps, actor, params, body, ifMatch }) => {
    const quote = await updateQuote(deps, actor, params.id, body, { ifMatch });
    return ok(quote, quote.version);
  },
  sendQuote: async ({ deps, actor, params, ifMatch }) => {
    const quote = await decideQuote(deps, actor, params.id, 'send', {}, { ifMatch });
    return ok(quote, quote.version);
  },
  acceptQuote: async ({ deps, actor, params, body, ifMatch }) => {
    const quote = await decideQuote(deps, actor, params.id, 'accept', body ?? {}, { ifMatch });
    return ok(quote, quote.version);
  },
  rejectQuote: async ({ deps, actor, params, body, ifMatch }) => {
    const quote = await decideQuote(deps, actor, params.id, 'reject', body ?? {}, { ifMatch });
    return ok(quote, quote.version);
  },
  reviseQuote: async ({ deps, actor, params, ifMatch }) => {
    const quote = await reviseQuote(deps, actor, params.id, { ifMatch });
    return created(quote, `/quotes/${quote.id}`);
  },
  getQuoteDocument: async ({ deps, actor, params }) => {
    const { quote, customer, opportunity, settings } = await quoteForDocument(deps, actor, params.id);
    const html = renderQuoteDocument({
      company: settings.companyName ?? actor.tenantId,
      customer: { name: customer?.name ?? quote.customerId },
      opportunity: { name: opportunity.name },
      quote,
    });
    return htmlDocument(html);
  },
});
