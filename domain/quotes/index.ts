/** The quotes context's public module: quotes priced on the server, their versions and decisions, documents. */
export { createQuote, getQuote, listQuotes, quoteForDocument, updateQuote, type QuoteItem } from './quotes';
export { decideQuote, reviseQuote } from './quote-decisions';
export { dealOwnerUnchanged, dealOwners, readDealToChange } from './deal-authority';
export { renderQuoteDocument, formatMinorUnits } from './document';
