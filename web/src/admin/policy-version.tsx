import { formatDateTime } from '../api/fhir-display.ts';
import { ApiError, isRecord } from '../api/request-json.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';

interface PolicyVersion {
  version: string;
  files: string[];
  loadedAt?: string;
}

/** The access policy set in force (`GET /api/authz/policy`); a server without that route says so. */
export function PolicyVersionCard() {
  const { api } = useSession();
  const [state, reload] = useAsync(async (): Promise<PolicyVersion | undefined> => {
    try {
      const body = await api.get('/api/authz/policy');
      if (!isRecord(body)) return undefined;
      return {
        version: String(body.version ?? ''),
        files: Array.isArray(body.files) ? body.files.map(String) : [],
        loadedAt: typeof body.loadedAt === 'string' ? body.loadedAt : undefined,
      };
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }, 'policy');
  return (
    <section className="card" aria-labelledby="policy-title">
      <h2 id="policy-title">Access policy in force</h2>
      <AsyncView state={state} what="the policy version" onRetry={reload}>
        {(policy) =>
          policy ? (
            <dl className="facts">
              <dt>Version</dt>
              <dd className="hash">{policy.version}</dd>
              {policy.loadedAt && (
                <>
                  <dt>Loaded</dt>
                  <dd>{formatDateTime(policy.loadedAt)}</dd>
                </>
              )}
              <dt>Files</dt>
              <dd>{policy.files.join(', ')}</dd>
            </dl>
          ) : (
            <p>This server does not report its policy version.</p>
          )
        }
      </AsyncView>
    </section>
  );
}
