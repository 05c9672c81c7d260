/** The settings context's public module. */
export * from './service';
export { getExchangeRates, putExchangeRates, ratesOn, readRates, type ExchangeRate } from './exchange-rates';
