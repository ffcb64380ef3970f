// Imports every CRD schema module so each registers itself in CRD_SCHEMAS.
// One line per module.
import './calico.ts';
import './cdi.ts';
import './kubevirt.ts';
import './metallb.ts';
import './cnpg.ts';
import './rook.ts';
import './keycloak.ts';
// Generated from the pinned upstream CRDs by scripts/crds/generate.ts.
import './generated/gateway-api.ts';
import './generated/calico-gateway.ts';
import './generated/prometheus-operator.ts';
