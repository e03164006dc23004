import express, { type Router } from 'express';
import type { LiveConfig } from '../config/live-config.js';
import { requireAdminToken } from '../identity/admin-auth.js';
import type { Metrics } from '../metrics/metrics.js';
import { sendJsonError as sendApiError } from '../http/json-error.js';
import { buildExperimentReport, REPORT_METRIC_NAMES, type ConversionType } from './experiment-report.js';
import { renderExperimentReport } from './experiment-report-text.js';
import { parsePrometheusText } from './prometheus-text.js';
import { baselineVariant } from './variant-assigner.js';

export interface ExperimentsAdminRouterDeps {
  live: LiveConfig;
  metrics: Metrics;
}

const TYPES: readonly ConversionType[] = ['purchase', 'add_to_cart'];

/**
 * `GET /admin/experiments`: the configured experiments, their variants and routes.
 * `GET /admin/experiments/:name/report[?type=purchase|add_to_cart][&format=text]` on the ops
 * port, behind the admin token. The numbers are read from this process's own counters in the
 * exposition format, the same text /metrics serves and the CLI parses, so the endpoint and
 * `sidecart report` cannot disagree. One replica's view; the CLI can sum several.
 */
export function createExperimentsAdminRouter(deps: ExperimentsAdminRouterDeps): Router {
  const router = express.Router();
  router.use('/admin/experiments', requireAdminToken(() => deps.live.current().admin.token));

  router.get('/admin/experiments', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    const config = deps.live.current();
    res.json({
      experiments: config.experiments.map((e) => ({
        name: e.name,
        baseline: baselineVariant(e),
        variants: e.variants,
        routes: config.routes.filter((r) => r.experiment === e.name).map((r) => ({ path: r.path, shadow: r.shadow })),
        report: `/admin/experiments/${e.name}/report`,
      })),
    });
  });

  router.get('/admin/experiments/:name/report', async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const name = req.params.name ?? '';
    const experiment = deps.live.current().experiments.find((e) => e.name === name);
    if (!experiment) return sendApiError(res, 404, 'unknown_experiment', `name: no experiment named ${JSON.stringify(name)} in the config`, 'name');
    const type = typeof req.query.type === 'string' ? req.query.type : 'purchase';
    if (!TYPES.includes(type as ConversionType)) return sendApiError(res, 400, 'invalid_type', `type: one of ${TYPES.join(', ')}`, 'type');

    const texts = await Promise.all([...REPORT_METRIC_NAMES].map((metric) => deps.metrics.registry.getSingleMetricAsString(metric)));
    const report = buildExperimentReport(parsePrometheusText(texts.join('\n'), REPORT_METRIC_NAMES), {
      experiment: experiment.name,
      type: type as ConversionType,
      baseline: baselineVariant(experiment),
      variants: experiment.variants.map((v) => v.name),
    });
    if (req.query.format === 'text') return res.type('text/plain').send(renderExperimentReport(report));
    res.json(report);
  });
  return router;
}
