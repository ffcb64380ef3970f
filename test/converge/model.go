package main

// The cluster model: the status each object would have, given what already runs. ArgoCD's health code
// (main.go: assess) then judges these objects; the model only decides what a controller would have
// written into .status by then. ASSUMED STATES, and why:
//
//  1. Before the root Application exists, `labctl up` has installed Calico (tigera-operator + CRDs) and
//     ArgoCD with helm (installer/cluster/handover.ts): pods run, ArgoCD's own objects are live, and the
//     argocd Application adopts them. Nothing else exists: no MetalLB, no ingress controller, no storage.
//  2. Every chart component (except CRD-only charts and rook-ceph-cluster, whose pods the Rook operator
//     makes) is one Deployment named after the component. It becomes Available once what it needs is
//     there: a bound PVC when its values name a storage class, and the other health-bearing objects of
//     its own Application (its database Cluster, bucket claim, certificate; not the resources its own
//     operator reconciles). Images pull (assumed: registries reachable or mirrored).
//  3. A Service of type LoadBalancer (a chart value `type: LoadBalancer`) gets status.loadBalancer only
//     when MetalLB's controller runs AND an IPAddressPool and an advertisement exist (wave of metallb-config).
//  4. An Ingress (a chart value `ingress: {enabled: true}`, or a manifest) gets status.loadBalancer only
//     when the controller of its class runs and that controller's LoadBalancer Service has an address.
//  5. A custom resource can be applied only once the Application that installs its CRD has synced
//     (else ArgoCD reports it Missing); it gets a status only while its operator's Deployment is Available.
//  6. PVCs bind once the CephCluster exists and Rook created it (state Created), even in HEALTH_WARN:
//     Ceph serves I/O in HEALTH_WARN. -ceph sets what the cluster reports; HEALTH_WARN is routine on a
//     new cluster (clock skew, a recent crash, PGs still peering) and in daily life (deep-scrub overdue).
//  7. ACME (DNS-01 via RFC 2136) and the image sources are reachable: certificates and image imports
//     complete once cert-manager / CDI run. A Job completes once the rest of its Application is Healthy
//     (the config Jobs talk to their own service).
//  8. A wave is done when every object of it is Healthy by ArgoCD's health (Applications through the
//     argocd-cm Lua customization, as the root Application sees them); an Application's health is the
//     worst of its resources' health (ArgoCD's controller/health.go, with gitops-engine's IsWorse).
//     Within an Application all objects are applied together (its own sync waves only order Jobs).
//  9. The labs ApplicationSet generates lab Applications the moment it exists; their DataVolumes clone
//     from the vm-images DataSources with the clone RoleBinding, so both must be ready by then.
// 10. Gateway API (ingress.controller: calico-gateway): the CRDs come from the gateway-api-crds
//     Application (a CRD-only kustomization, no workload); the tigera-operator runs Envoy Gateway for the
//     GatewayAPI object (operator.tigera.io: Calico's group, preinstalled; ArgoCD has no health script for
//     GatewayAPI, so it counts as Healthy once applied). A Gateway gets Accepted/Programmed and every
//     listener Accepted/ResolvedRefs/Programmed (ArgoCD's built-in Gateway script then says Healthy) once the
//     tigera-operator runs, a GatewayAPI object is live, its LoadBalancer Service can get a MetalLB address
//     (Envoy Gateway reports AddressNotAssigned before) and cert-manager runs (its gateway-shim issues the
//     listeners' certificate Secrets through the site issuer; assumption 7). An HTTPRoute gets
//     Accepted/ResolvedRefs on its parent (ArgoCD's HTTPRoute script: Healthy) once its parent Gateway is
//     Programmed and its backend Service exists: charts make their Services at sync; the Keycloak Service is
//     made by the Keycloak operator. An HTTPRoute does not hold back its backend's Deployment (as an Ingress).
//     Envoy Gateway's own CRDs (gateway.envoyproxy.io: the ClientTrafficPolicy) are installed by the
//     tigera-operator for the GatewayAPI object of the calico-gateway Application, so they exist once that
//     Application syncs (its retry applies the policy after the first attempt finds no CRD); ArgoCD has no
//     health script for them, so an applied one is Healthy.
// 11. CSI snapshots: the snapshot.storage.k8s.io CRDs come from the snapshot-controller-crds Application (a
//     CRD-only kustomization); a VolumeSnapshotClass is configuration no operator reconciles and ArgoCD has
//     no health script for, so an applied one is Healthy (no operatorOf entry).
// 12. Velero: the velero.io CRDs come with the Velero chart (its crds/, applied by ArgoCD in the same sync
//     as the chart's Deployment), so the velero Application provides them; its BackupStorageLocation and
//     Schedules (sync waves 1 and 2 of that Application) wait for the Velero Deployment (operatorOf), then
//     count as Healthy: the model has no health script for them and does not reach the bucket.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/argoproj/gitops-engine/pkg/health"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const lbAddress = "198.18.0.10" // any address from the pool: only its presence matters to health

// Groups whose CRDs exist before the root Application (Kubernetes itself, Calico and ArgoCD, assumption 1).
var preinstalledGroups = map[string]bool{"": true, "apps": true, "batch": true, "networking.k8s.io": true,
	"rbac.authorization.k8s.io": true, "apiextensions.k8s.io": true, "storage.k8s.io": true, "scheduling.k8s.io": true,
	"policy": true, "admissionregistration.k8s.io": true, "argoproj.io": true, "crd.projectcalico.org": true,
	"operator.tigera.io": true, "projectcalico.org": true}

// Which component installs a group's CRDs, and which component's Deployment reconciles it.
var crdProvider = map[string]string{"metallb.io": "metallb", "frrk8s.metallb.io": "metallb", "cert-manager.io": "cert-manager",
	"acme.cert-manager.io": "cert-manager", "ceph.rook.io": "rook-ceph", "objectbucket.io": "rook-ceph",
	"postgresql.cnpg.io": "cloudnative-pg", "k8s.keycloak.org": "keycloak-operator", "kubevirt.io": "kubevirt",
	"instancetype.kubevirt.io": "kubevirt", "cdi.kubevirt.io": "cdi", "monitoring.coreos.com": "prometheus-crds",
	"gateway.networking.k8s.io": "gateway-api-crds", "gateway.envoyproxy.io": "calico-gateway",
	"snapshot.storage.k8s.io": "snapshot-controller-crds", "velero.io": "velero"}
var operatorOf = map[string]string{"metallb.io": "metallb", "frrk8s.metallb.io": "metallb", "cert-manager.io": "cert-manager",
	"acme.cert-manager.io": "cert-manager", "ceph.rook.io": "rook-ceph", "objectbucket.io": "rook-ceph",
	"postgresql.cnpg.io": "cloudnative-pg", "k8s.keycloak.org": "keycloak-operator", "kubevirt.io": "kubevirt",
	"instancetype.kubevirt.io": "kubevirt", "cdi.kubevirt.io": "cdi", "monitoring.coreos.com": "kube-prometheus-stack",
	"gateway.networking.k8s.io": "tigera-operator", "gateway.envoyproxy.io": "tigera-operator", "velero.io": "velero"}

// Ingress class -> the component whose controller serves it.
var ingressControllers = map[string]string{"nginx": "ingress-nginx"}

// Charts that run no Deployment of their own (assumption 2).
var noWorkload = map[string]bool{"calico-crds": true, "prometheus-crds": true, "rook-ceph-cluster": true, "gateway-api-crds": true,
	"snapshot-controller-crds": true}

type object struct {
	u            *unstructured.Unstructured
	app          string
	needsStorage bool
	missing      string // why ArgoCD could not apply it yet ("" = live)
	waiting      string // what the model says it still waits for ("" = its controller wrote a ready status)
}

type world struct {
	site      string
	ceph      string
	badLab    bool
	overrides map[string]resourceOverride
	apps      map[string]*unstructured.Unstructured // created Applications by name
	appOrder  []string
	objects   []*object
	problems  []string
	labsSeen  bool
}

func newWorld(site, ceph string, badLab bool, overrides map[string]resourceOverride) *world {
	return &world{site: site, ceph: ceph, badLab: badLab, overrides: overrides, apps: map[string]*unstructured.Unstructured{}}
}

func (w *world) drainProblems() []string { p := w.problems; w.problems = nil; return p }

// create applies one child of the root Application and every object its Application would sync.
func (w *world) create(c *unstructured.Unstructured) error {
	switch c.GetKind() {
	case "Application":
		name := c.GetName()
		w.apps[name] = c
		w.appOrder = append(w.appOrder, name)
		objs, err := w.componentObjects(name)
		if err != nil {
			return err
		}
		w.objects = append(w.objects, objs...)
	case "ApplicationSet":
		w.labsSeen = true
		w.checkLabPrerequisites(c)
	}
	return nil
}

func (w *world) componentObjects(name string) ([]*object, error) {
	dir := filepath.Join(w.site, "components", name)
	var out []*object
	files, _ := filepath.Glob(filepath.Join(dir, "manifests", "*.yaml"))
	sort.Strings(files)
	for _, f := range files {
		objs, err := readObjects(f)
		if err != nil {
			return nil, err
		}
		for _, u := range objs {
			out = append(out, &object{u: u, app: name})
		}
	}
	valuesFile := filepath.Join(dir, "values.yaml")
	if data, err := os.ReadFile(valuesFile); err == nil {
		values := map[string]any{}
		if err := yaml.Unmarshal(data, &values); err != nil {
			return nil, fmt.Errorf("%s: %w", valuesFile, err)
		}
		ns, _, _ := unstructured.NestedString(w.apps[name].Object, "spec", "destination", "namespace")
		for _, o := range w.chartObjects(name, values) {
			if o.u.GetNamespace() == "" || o.u.GetNamespace() == name {
				o.u.SetNamespace(ns)
			}
			out = append(out, o)
		}
	} else if _, err := os.Stat(filepath.Join(dir, "kustomization.yaml")); err == nil && !noWorkload[name] {
		// Remote operator manifests (Keycloak operator, KubeVirt, CDI): the operator Deployment.
		d := deployment(name)
		ns, _, _ := unstructured.NestedString(w.apps[name].Object, "spec", "destination", "namespace")
		d.SetNamespace(ns)
		out = append(out, &object{u: d, app: name})
	}
	return out, nil
}

// chartObjects: what a chart's values make that matters to health (assumptions 2-4).
func (w *world) chartObjects(name string, values map[string]any) []*object {
	var out []*object
	if !noWorkload[name] {
		out = append(out, &object{u: deployment(name), app: name, needsStorage: mentionsStorageClass(values)})
	}
	ingressIdx := 0
	walk(values, "", func(path string, parent map[string]any, key string, v any) {
		if key == "ingress" {
			m, ok := v.(map[string]any)
			if ok && (m["enabled"] == true || parent["type"] == "ingress") {
				class, _ := m["ingressClassName"].(string)
				if class == "" {
					class, _ = m["className"].(string)
				}
				ingressIdx++
				out = append(out, &object{u: ingress(fmt.Sprintf("%s-%d", name, ingressIdx), class, path), app: name})
			}
		}
		if key == "type" && v == "LoadBalancer" {
			out = append(out, &object{u: lbService(name, path), app: name})
		}
	})
	if name == "rook-ceph-cluster" {
		out = append(out, &object{u: cr("ceph.rook.io/v1", "CephCluster", "rook-ceph", "rook-ceph"), app: name})
		if stores, ok := values["cephObjectStores"].([]any); ok {
			for _, s := range stores {
				if m, ok := s.(map[string]any); ok {
					out = append(out, &object{u: cr("ceph.rook.io/v1", "CephObjectStore", "rook-ceph", fmt.Sprint(m["name"])), app: name})
				}
			}
		}
	}
	if name == "kube-prometheus-stack" {
		out = append(out, &object{u: cr("monitoring.coreos.com/v1", "Prometheus", "monitoring", "prometheus"), app: name, needsStorage: true})
	}
	return out
}

// settle lets every controller act until nothing changes (bounded: each round can only add readiness).
func (w *world) settle() {
	for round := 0; round <= len(w.objects)+2; round++ {
		changed := false
		for _, o := range w.objects {
			before := fmt.Sprint(o.u.Object["status"], o.missing)
			w.reconcile(o)
			if fmt.Sprint(o.u.Object["status"], o.missing) != before {
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

func (w *world) reconcile(o *object) {
	u := o.u
	group := u.GroupVersionKind().Group
	if !preinstalledGroups[group] {
		provider, known := crdProvider[group]
		if !known {
			w.problems = append(w.problems, fmt.Sprintf("model: no CRD provider known for %s %s (extend test/converge/model.go)", u.GetKind(), group))
			o.missing = "unknown group"
			return
		}
		if w.apps[provider] == nil {
			o.missing = fmt.Sprintf("its CRD (%s) comes from Application %s, not synced yet", group, provider)
			return
		}
	}
	o.missing = ""
	operatorUp := w.running(operatorOf[group])
	storage := w.storageReady()
	o.waiting = ""
	wait := func(ok bool, why string) bool {
		if !ok && o.waiting == "" {
			o.waiting = why
		}
		return ok
	}
	if operator := operatorOf[group]; operator != "" {
		wait(operatorUp, "its operator ("+operator+") is not running")
	}
	switch u.GetKind() {
	case "Deployment":
		ready := wait(!o.needsStorage || storage, "no storage (CephCluster not created)") &&
			wait(w.appDepsHealthy(o), "the other objects of its Application are not Healthy")
		setStatus(u, deploymentStatus(ready))
	case "Service":
		if wait(w.loadBalancerReady(), "no load-balancer address: MetalLB not running or no IPAddressPool/advertisement") {
			setStatus(u, map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"ip": lbAddress}}}})
		}
	case "Ingress":
		class, _, _ := unstructured.NestedString(u.Object, "spec", "ingressClassName")
		ctl, ok := ingressControllers[class]
		if wait(ok && w.running(ctl), "no ingress controller for class "+class+" running") &&
			wait(w.serviceHasAddress(ctl), "the ingress controller's Service has no load-balancer address") {
			setStatus(u, map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"ip": lbAddress}}}})
		}
	case "Gateway": // assumption 10
		if operatorUp && wait(w.liveKind("GatewayAPI"), "no GatewayAPI object: the tigera-operator runs no Envoy Gateway") &&
			wait(w.loadBalancerReady(), "no load-balancer address for the Gateway's Service (AddressNotAssigned)") &&
			wait(w.running("cert-manager"), "cert-manager is not running: no listener certificate Secrets") {
			var listeners []any
			ls, _, _ := unstructured.NestedSlice(u.Object, "spec", "listeners")
			for _, l := range ls {
				name, _, _ := unstructured.NestedString(l.(map[string]any), "name")
				listeners = append(listeners, map[string]any{"name": name, "attachedRoutes": int64(1),
					"conditions": []any{cond("Accepted", "True"), cond("ResolvedRefs", "True"), cond("Programmed", "True")}})
			}
			setStatus(u, map[string]any{"addresses": []any{map[string]any{"type": "IPAddress", "value": lbAddress}},
				"conditions": []any{cond("Accepted", "True"), cond("Programmed", "True")}, "listeners": listeners})
		}
	case "HTTPRoute": // assumption 10
		if !operatorUp {
			return
		}
		refs, _, _ := unstructured.NestedSlice(u.Object, "spec", "parentRefs")
		var parents []any
		for _, r := range refs {
			ref := r.(map[string]any)
			ns, _ := ref["namespace"].(string)
			if ns == "" {
				ns = u.GetNamespace()
			}
			name, _ := ref["name"].(string)
			if !wait(w.gatewayProgrammed(ns, name), "its parent Gateway "+ns+"/"+name+" is not Programmed") {
				return
			}
			parents = append(parents, map[string]any{"parentRef": ref, "controllerName": "gateway.envoyproxy.io/gatewayclass-controller",
				"conditions": []any{cond("Accepted", "True"), cond("ResolvedRefs", "True")}})
		}
		if wait(len(parents) > 0, "no parentRefs") && wait(w.backendServiceExists(o), "its backend Service does not exist yet (the Keycloak operator is not running)") {
			setStatus(u, map[string]any{"parents": parents})
		}
	case "Job":
		if wait(w.appHealthyExceptJobs(o.app), "the rest of its Application is not Healthy") {
			setStatus(u, map[string]any{"succeeded": int64(1), "conditions": []any{cond("Complete", "True")}})
		}
	case "CephCluster":
		if operatorUp {
			setStatus(u, map[string]any{"state": "Created", "phase": "Ready", "ceph": map[string]any{"health": w.ceph}})
		}
	case "CephObjectStore":
		if operatorUp && wait(storage, "no CephCluster created") {
			setStatus(u, map[string]any{"phase": "Ready"})
		}
	case "ObjectBucketClaim":
		if operatorUp && wait(w.objectStoreReady(), "no CephObjectStore ready") {
			setStatus(u, map[string]any{"phase": "Bound"})
		}
	case "Cluster": // CloudNativePG
		if operatorUp && wait(storage, "no storage (CephCluster not created)") {
			setStatus(u, map[string]any{"phase": "Cluster in healthy state", "conditions": []any{cond("Ready", "True")}})
		}
	case "Keycloak":
		if operatorUp && wait(w.appDepsHealthy(o), "its database is not Healthy") {
			setStatus(u, map[string]any{"conditions": []any{cond("Ready", "True")}})
		}
	case "Certificate", "Issuer", "ClusterIssuer":
		if operatorUp {
			setStatus(u, map[string]any{"conditions": []any{cond("Ready", "True")}})
		}
	case "Prometheus":
		if operatorUp && wait(storage, "no storage (CephCluster not created)") {
			setStatus(u, map[string]any{"conditions": []any{cond("Available", "True"), cond("Reconciled", "True")}})
		}
	}
}

func (w *world) health(o *object) *health.HealthStatus {
	if o.missing != "" {
		return &health.HealthStatus{Status: health.HealthStatusMissing, Message: o.missing}
	}
	hs, err := assess(o.u, w.overrides)
	if err != nil {
		return &health.HealthStatus{Status: health.HealthStatusUnknown, Message: err.Error()}
	}
	return hs // nil: ArgoCD keeps no health for this kind
}

func (w *world) healthyOrNone(o *object) bool {
	hs := w.health(o)
	return hs == nil || hs.Status == health.HealthStatusHealthy
}

// running: the component's Application exists and its Deployment is Available.
func (w *world) running(component string) bool {
	if component == "" || w.apps[component] == nil {
		return false
	}
	for _, o := range w.objects {
		if o.app == component && o.u.GetKind() == "Deployment" && o.u.GetName() == component {
			hs := w.health(o)
			return hs != nil && hs.Status == health.HealthStatusHealthy
		}
	}
	return false
}

func (w *world) storageReady() bool {
	for _, o := range w.objects {
		if o.u.GetKind() == "CephCluster" && o.missing == "" {
			state, _, _ := unstructured.NestedString(o.u.Object, "status", "state")
			return state == "Created"
		}
	}
	return false
}

func (w *world) objectStoreReady() bool {
	for _, o := range w.objects {
		if o.u.GetKind() == "CephObjectStore" && o.missing == "" {
			phase, _, _ := unstructured.NestedString(o.u.Object, "status", "phase")
			if phase == "Ready" {
				return true
			}
		}
	}
	return false
}

func (w *world) loadBalancerReady() bool {
	if !w.running("metallb") {
		return false
	}
	pool, adv := false, false
	for _, o := range w.objects {
		if o.missing != "" {
			continue
		}
		switch o.u.GetKind() {
		case "IPAddressPool":
			pool = true
		case "BGPAdvertisement", "L2Advertisement":
			adv = true
		}
	}
	return pool && adv
}

func (w *world) serviceHasAddress(component string) bool {
	for _, o := range w.objects {
		if o.app == component && o.u.GetKind() == "Service" {
			ing, _, _ := unstructured.NestedSlice(o.u.Object, "status", "loadBalancer", "ingress")
			if len(ing) > 0 {
				return true
			}
		}
	}
	return false
}

// appDepsHealthy: the other health-bearing objects of the same Application, except workloads, Jobs and
// what the component's own operator reconciles (a chart's pods wait for their database, bucket and
// certificate; the Jobs wait for the pods).
func (w *world) appDepsHealthy(self *object) bool {
	for _, o := range w.objects {
		if o == self || o.app != self.app || operatorOf[o.u.GroupVersionKind().Group] == self.app {
			continue // an operator does not wait for the resources it reconciles itself
		}
		switch o.u.GetKind() {
		case "Deployment", "Job", "Ingress", "HTTPRoute", "Service", "Keycloak":
			continue
		}
		if !w.healthyOrNone(o) {
			return false
		}
	}
	return true
}

// liveKind: an object of this kind has been applied (assumption 10: the GatewayAPI object).
func (w *world) liveKind(kind string) bool {
	for _, o := range w.objects {
		if o.u.GetKind() == kind && o.missing == "" {
			return true
		}
	}
	return false
}

// gatewayProgrammed: the Gateway namespace/name is live and its controller wrote Programmed=True.
func (w *world) gatewayProgrammed(namespace, name string) bool {
	for _, o := range w.objects {
		if o.u.GetKind() == "Gateway" && o.u.GetNamespace() == namespace && o.u.GetName() == name && o.missing == "" {
			conds, _, _ := unstructured.NestedSlice(o.u.Object, "status", "conditions")
			for _, c := range conds {
				if m := c.(map[string]any); m["type"] == "Programmed" && m["status"] == "True" {
					return true
				}
			}
		}
	}
	return false
}

// backendServiceExists: a chart makes its Services at sync; the Keycloak operator makes the Keycloak
// Service, so a route of an Application holding a Keycloak waits for that operator (assumption 10).
func (w *world) backendServiceExists(route *object) bool {
	for _, o := range w.objects {
		if o.app == route.app && o.u.GetKind() == "Keycloak" && (o.missing != "" || !w.running(operatorOf[o.u.GroupVersionKind().Group])) {
			return false
		}
	}
	return true
}

func (w *world) appHealthyExceptJobs(app string) bool {
	for _, o := range w.objects {
		if o.app == app && o.u.GetKind() != "Job" && !w.healthyOrNone(o) {
			return false
		}
	}
	return true
}

// appHealth: the worst health of the Application's resources (ArgoCD's controller/health.go).
func (w *world) appHealth(app string) *health.HealthStatus {
	agg := &health.HealthStatus{Status: health.HealthStatusHealthy}
	for _, o := range w.objects {
		if o.app != app {
			continue
		}
		hs := w.health(o)
		if hs == nil {
			continue
		}
		if health.IsWorse(agg.Status, hs.Status) {
			msg := fmt.Sprintf("%s %s/%s: %s", o.u.GetKind(), o.u.GetNamespace(), o.u.GetName(), hs.Message)
			if o.waiting != "" && hs.Status != health.HealthStatusHealthy {
				msg += " [model: " + o.waiting + "]"
			}
			agg = &health.HealthStatus{Status: hs.Status, Message: msg}
		}
	}
	return agg
}

// childHealth: the health the root Application sees for one of its children.
func (w *world) childHealth(c *unstructured.Unstructured) (*health.HealthStatus, error) {
	live := c.DeepCopy()
	switch c.GetKind() {
	case "Application":
		ah := w.appHealth(c.GetName())
		_ = unstructured.SetNestedMap(live.Object, map[string]any{"status": string(ah.Status), "message": ah.Message}, "status", "health")
	case "ApplicationSet":
		if w.badLab {
			setStatus(live, map[string]any{"conditions": []any{map[string]any{"type": "ErrorOccurred", "status": "True",
				"message": "labs/netsec/broken.yaml: error converting YAML to JSON"}, cond("ResourcesUpToDate", "False")}})
		} else {
			setStatus(live, map[string]any{"conditions": []any{cond("ResourcesUpToDate", "True")}})
		}
	}
	hs, err := assess(live, w.overrides)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", c.GetKind(), c.GetName(), err)
	}
	if hs == nil { // no health for this kind (AppProject; Application without the argocd-cm Lua): no wait
		return &health.HealthStatus{Status: health.HealthStatusHealthy, Message: "(no health check: ArgoCD does not wait)"}, nil
	}
	return hs, nil
}

// checkLabPrerequisites (assumption 9): when lab Applications appear, their golden images and the clone
// permission must already be there.
func (w *world) checkLabPrerequisites(appset *unstructured.Unstructured) {
	w.settle()
	var missing []string
	sources, binding := 0, false
	for _, o := range w.objects {
		if o.missing != "" {
			continue
		}
		if o.u.GetKind() == "DataSource" && w.running("cdi") && w.storageReady() {
			sources++
		}
		if o.u.GetKind() == "RoleBinding" && strings.Contains(o.u.GetName(), "clone") {
			binding = true
		}
	}
	if sources == 0 {
		missing = append(missing, "no ready golden-image DataSource (vm-images)")
	}
	if !binding {
		missing = append(missing, "no clone RoleBinding (vm-labs)")
	}
	if len(missing) > 0 {
		w.problems = append(w.problems, fmt.Sprintf("ApplicationSet %s generates lab Applications before their prerequisites: %s", appset.GetName(), strings.Join(missing, ", ")))
	}
}

func (w *world) platformHealthy(children []child) bool {
	for _, c := range children {
		if c.obj.GetKind() != "Application" || c.obj.GetLabels()["labctl.dev/tier"] == "labs" {
			continue
		}
		if w.apps[c.obj.GetName()] == nil || w.appHealth(c.obj.GetName()).Status != health.HealthStatusHealthy {
			return false
		}
	}
	return true
}

// ---- object constructors -------------------------------------------------------------------------

func deployment(name string) *unstructured.Unstructured {
	u := cr("apps/v1", "Deployment", name, name)
	u.SetGeneration(1)
	_ = unstructured.SetNestedField(u.Object, int64(1), "spec", "replicas")
	return u
}

func deploymentStatus(ready bool) map[string]any {
	if ready {
		return map[string]any{"observedGeneration": int64(1), "replicas": int64(1), "updatedReplicas": int64(1),
			"readyReplicas": int64(1), "availableReplicas": int64(1), "conditions": []any{cond("Available", "True")}}
	}
	return map[string]any{"observedGeneration": int64(1), "replicas": int64(1), "updatedReplicas": int64(1),
		"unavailableReplicas": int64(1), "conditions": []any{cond("Available", "False")}}
}

func ingress(name, class, path string) *unstructured.Unstructured {
	u := cr("networking.k8s.io/v1", "Ingress", "", name)
	u.SetAnnotations(map[string]string{"labctl.dev/from-values": path})
	_ = unstructured.SetNestedField(u.Object, class, "spec", "ingressClassName")
	return u
}

func lbService(name, path string) *unstructured.Unstructured {
	u := cr("v1", "Service", name, name)
	u.SetAnnotations(map[string]string{"labctl.dev/from-values": path})
	_ = unstructured.SetNestedField(u.Object, "LoadBalancer", "spec", "type")
	return u
}

func cr(apiVersion, kind, namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

func cond(t, s string) map[string]any { return map[string]any{"type": t, "status": s} }

func setStatus(u *unstructured.Unstructured, s map[string]any) { u.Object["status"] = s }

func mentionsStorageClass(values map[string]any) bool {
	found := false
	walk(values, "", func(_ string, _ map[string]any, key string, v any) {
		if s, ok := v.(string); ok && s != "" && (key == "storageClass" || key == "storageClassName") {
			found = true
		}
	})
	return found
}

// walk visits every key of a values tree with its dotted path and parent map, in sorted key order.
func walk(v any, path string, f func(path string, parent map[string]any, key string, v any)) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			f(p, t, k, t[k])
			walk(t[k], p, f)
		}
	case []any:
		for i, e := range t {
			walk(e, fmt.Sprintf("%s[%d]", path, i), f)
		}
	}
}
