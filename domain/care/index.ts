/** The care context's public module: the SLA policy, service tickets with their SLA clocks. */
export { DEFAULT_SLA_POLICY, getSlaPolicy, putSlaPolicy } from './policy';
