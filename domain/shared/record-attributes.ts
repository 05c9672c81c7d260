/** The bookkeeping every versioned record carries: who made and last changed it, when, and its version. */
export const RECORD_STAMPS = {
  createdAt: { type: 'string', required: true, readOnly: true },
  createdBy: { type: 'string', required: true, readOnly: true },
  updatedAt: { type: 'string', required: true },
  updatedBy: { type: 'string', required: true },
  version: { type: 'number', required: true },
} as const;
