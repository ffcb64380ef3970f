// Imports every CRD schema module so each registers itself in CRD_SCHEMAS.
// One line per module.
import '../components/calico/schemas.ts';
import '../components/kubevirt/cdi-schemas.ts';
import '../components/kubevirt/schemas.ts';
import '../components/metallb/schemas.ts';
import '../components/cloudnative-pg/schemas.ts';
import '../components/rook-ceph/schemas.ts';
import '../components/keycloak/schemas.ts';
import '../components/monitoring/schemas.ts';
