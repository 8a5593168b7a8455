// Public surface of the ServiceAccount controllers: the `default` ServiceAccount and the
// `kube-root-ca.crt` ConfigMap in every namespace.

export { DEFAULT_SERVICE_ACCOUNT, ServiceAccountsReconciler, serviceAccountsController } from './serviceaccounts-controller.ts';
export { ROOT_CA_CONFIGMAP, RootCaPublisher, rootCaPublisher } from './root-ca-publisher.ts';
