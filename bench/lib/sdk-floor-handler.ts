/**
 * The cold-start floor of this architecture: an empty handler that builds the one thing every Salesflow
 * function needs, a DynamoDB document client. Bundled like the real functions (bench/cold-start.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => ({ statusCode: 200, body: String(Boolean(documents)) });
