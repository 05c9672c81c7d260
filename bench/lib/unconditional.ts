/**
 * A recorded write made to succeed again. Replayed as recorded, a write's condition (the version it expected,
 * "does not exist yet") fails — the handler's own call already changed the item — and a cancelled transaction
 * costs DynamoDB less than a committed one, which would flatter the handler's ratio. The floor replays writes
 * without their conditions (ConditionCheck entries dropped), expression names and values pruned to those still
 * used: the same items written, as they were. Pure.
 */
type Input = Record<string, unknown>;

const EXPRESSIONS = ['UpdateExpression', 'ProjectionExpression', 'KeyConditionExpression', 'FilterExpression'] as const;

/** Without ConditionExpression, and with only the #names / :values the remaining expressions use. */
export function withoutCondition(input: Input): Input {
  const { ConditionExpression: _condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ...rest } = input;
  const used = EXPRESSIONS.map((key) => rest[key])
    .filter((expression): expression is string => typeof expression === 'string')
    .join(' ');
  const keep = (map: unknown) => {
    if (!map || typeof map !== 'object') return undefined;
    const kept = Object.entries(map).filter(([token]) => new RegExp(`${token}(?![\\w])`).test(used));
    return kept.length > 0 ? Object.fromEntries(kept) : undefined;
  };
  const keptNames = keep(names);
  const keptValues = keep(values);
  return { ...rest, ...(keptNames && { ExpressionAttributeNames: keptNames }), ...(keptValues && { ExpressionAttributeValues: keptValues }) };
}

/** The input to replay for `command`, or undefined when nothing is left to send. */
export function unconditional(command: string, input: Input): Input | undefined {
  switch (command) {
    case 'PutItemCommand':
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return withoutCondition(input);
    case 'TransactWriteItemsCommand': {
      const items = (input.TransactItems as Array<Record<string, Input>>)
        .filter((item) => !item.ConditionCheck)
        .map((item) => Object.fromEntries(Object.entries(item).map(([kind, operation]) => [kind, withoutCondition(operation)])));
      return items.length > 0 ? { ...input, TransactItems: items } : undefined;
    }
    default:
      return input;
  }
}
