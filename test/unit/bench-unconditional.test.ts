import { describe, expect, it } from 'vitest';
import { unconditional, withoutCondition } from '../../bench/lib/unconditional';

describe('replaying a recorded write so that it succeeds again', () => {
  it('drops the condition and only the names and values nothing else uses', () => {
    const input = {
      TableName: 't',
      Key: { pk: 'a', sk: 'b' },
      UpdateExpression: 'SET #name = :name0, #version = :version1',
      ConditionExpression: '#version = :version0 AND attribute_exists(#pk)',
      ExpressionAttributeNames: { '#name': 'name', '#version': 'version', '#pk': 'pk' },
      ExpressionAttributeValues: { ':name0': 'x', ':version1': 2, ':version0': 1 },
    };
    expect(withoutCondition(input)).toEqual({
      TableName: 't',
      Key: { pk: 'a', sk: 'b' },
      UpdateExpression: 'SET #name = :name0, #version = :version1',
      ExpressionAttributeNames: { '#name': 'name', '#version': 'version' },
      ExpressionAttributeValues: { ':name0': 'x', ':version1': 2 },
    });
  });

  it('does not keep :v1 because :v10 is used', () => {
    const input = { UpdateExpression: 'SET a = :v10', ConditionExpression: 'b = :v1', ExpressionAttributeValues: { ':v1': 1, ':v10': 10 } };
    expect(withoutCondition(input)).toEqual({ UpdateExpression: 'SET a = :v10', ExpressionAttributeValues: { ':v10': 10 } });
  });

  it('leaves a put with only a condition without any names or values', () => {
    const input = { TableName: 't', Item: { pk: 'a' }, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } };
    expect(unconditional('PutItemCommand', input)).toEqual({ TableName: 't', Item: { pk: 'a' } });
  });

  it('drops the condition checks of a transaction and the conditions of its writes', () => {
    const input = {
      TransactItems: [
        { ConditionCheck: { TableName: 't', Key: { pk: 'p' }, ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'v' }, ExpressionAttributeValues: { ':v': 3 } } },
        { Put: { TableName: 't', Item: { pk: 'a' }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
      ReturnConsumedCapacity: 'TOTAL',
    };
    expect(unconditional('TransactWriteItemsCommand', input)).toEqual({ TransactItems: [{ Put: { TableName: 't', Item: { pk: 'a' } } }], ReturnConsumedCapacity: 'TOTAL' });
    expect(unconditional('TransactWriteItemsCommand', { TransactItems: [input.TransactItems[0]] })).toBeUndefined();
  });

  it('sends reads as recorded', () => {
    const query = { TableName: 't', KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': 'pk' }, ExpressionAttributeValues: { ':pk': 'a' } };
    expect(unconditional('QueryCommand', query)).toBe(query);
  });
});
