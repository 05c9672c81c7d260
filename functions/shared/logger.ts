/** The Powertools logger of this process, built once per cold start (its level is read from the environment then). */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'salesflow' });
