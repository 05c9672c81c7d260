/**
 * The DynamoDB floor plus what every data function imports for its store: ElectroDB and the single table's
 * entities (domain/db.ts). The service is built on the first request, as the functions build it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createSalesDb } from '../../domain/db';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => ({ statusCode: 200, body: String(Object.keys(createSalesDb(documents, 'table').entities).length) });
