/** The assignment context's public module: the tenant's rules, and choosing an owner by them. */
export * from './service';
export * from './choose';
