import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getDependencies, type AppDependencies } from '../shared/dependencies';
import { json, toHttpResponse } from '../shared/http/responses';
import { consoleLogger } from '../shared/logging';
import { getUsageReport, parseUsageReportQuery, type UsageReportDeps } from '../shared/metering';

/** GET /api/usage?subscriptionId=…[&from&to&pageSize&continuationToken]: hours, totals, emission status. */
export function createUsageReportHandler(getDeps: () => UsageReportDeps & Pick<AppDependencies, 'logger'>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let logger = consoleLogger();
    try {
      const deps = getDeps();
      logger = deps.logger(context);
      const query = parseUsageReportQuery(request.query);
      return json(200, await getUsageReport(deps, query));
    } catch (error) {
      return toHttpResponse(error, context, logger);
    }
  };
}

app.http('usageReport', { route: 'usage', methods: ['GET'], authLevel: 'function', handler: createUsageReportHandler(getDependencies) });
