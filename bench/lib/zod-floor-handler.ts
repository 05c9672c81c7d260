/** The DynamoDB floor plus what every function's route table imports for validation: zod and the kernel's schemas. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Id, Money, PageQuery, Problem } from '../../domain/shared/schemas';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => ({ statusCode: 200, body: String(Boolean(documents && Id && Money && PageQuery && Problem)) });
