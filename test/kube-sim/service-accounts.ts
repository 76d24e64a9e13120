// The service account controllers: every namespace gets its `default` ServiceAccount, and a
// Secret of type `kubernetes.io/service-account-token` naming an existing account (annotation
// `kubernetes.io/service-account.name`) is filled with a long-lived token, `ca.crt` and
// `namespace`, as the tokens controller does (the classic way to mint a kubeconfig for an account).
import type { Authenticator } from './auth.ts';
import type { Kit } from './controller-kit.ts';
import { storageKey } from './resources.ts';
import { clone } from './types.ts';

export const TOKEN_SECRET = 'kubernetes.io/service-account-token';
const SA_NAME = 'kubernetes.io/service-account.name';
const SA_UID = 'kubernetes.io/service-account.uid';

export function syncServiceAccounts(kit: Kit, auth: Authenticator, caCert: string | undefined): void {
  const sa = kit.info('v1', 'ServiceAccount');
  for (const ns of kit.api.store.list(storageKey(kit.info('v1', 'Namespace')), undefined, true)) {
    if (ns.metadata.deletionTimestamp || kit.api.find(sa, ns.metadata.name, 'default')) continue;
    kit.api.create(sa, ns.metadata.name, { metadata: { name: 'default', namespace: ns.metadata.name } });
  }
  const secretInfo = kit.info('v1', 'Secret');
  for (const secret of kit.api.store.list(storageKey(secretInfo), undefined, true)) {
    if (secret.type !== TOKEN_SECRET || secret.data?.token || secret.metadata.deletionTimestamp) continue;
    const account = kit.api.find(sa, secret.metadata.namespace, String(secret.metadata.annotations?.[SA_NAME] ?? ''));
    if (!account) continue;
    const next = clone(secret);
    next.metadata.annotations = { ...next.metadata.annotations, [SA_UID]: account.metadata.uid };
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    next.data = { ...next.data, token: b64(auth.mintLegacy(secret, account)), namespace: b64(secret.metadata.namespace), 'ca.crt': b64(caCert ?? '') };
    kit.api.writeObject(secretInfo, next);
  }
}
