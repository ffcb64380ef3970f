// converge: simulates, from an empty cluster, the root Application's sync of a rendered labctl site wave
// by wave, and judges every object with ArgoCD's own health code: the Lua health scripts embedded in
// argo-cd v3.4.4 (its resource_customizations package) and the site's argocd-cm health customizations,
// run by gopher-lua as argo-cd's util/lua runs them (argolua.go), and gitops-engine's Go health checks
// (pkg/health at the commit argo-cd pins). See argolua.go for why util/lua itself is not linked.
// The status each object would have at that point comes from an explicit model of the cluster (model.go);
// its assumptions are listed there. Exit 0: every wave became Healthy; exit 1: it prints where it stuck.
//
// Usage: converge [-ceph HEALTH_WARN] [-bad-lab] <rendered-site-dir>
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/argoproj/gitops-engine/pkg/health"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const waveAnnotation = "argocd.argoproj.io/sync-wave"

// child is one object the root Application creates: an Application, AppProject or ApplicationSet.
type child struct {
	obj  *unstructured.Unstructured
	wave int
}

type appResult struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Health  string `json:"health"`
	Message string `json:"message,omitempty"`
}

type waveResult struct {
	Wave     int         `json:"wave"`
	Children []appResult `json:"children"`
	Healthy  bool        `json:"healthy"`
}

type result struct {
	Site      string       `json:"site"`
	Ceph      string       `json:"ceph"`
	BadLab    bool         `json:"badLab"`
	Converged bool         `json:"converged"`
	StuckAt   *int         `json:"stuckAt,omitempty"`
	Waves     []waveResult `json:"waves"`
	// PlatformHealthy: every Application other than the labs tier was Healthy before the run stopped.
	PlatformHealthy bool     `json:"platformHealthy"`
	Problems        []string `json:"problems"`
}

func main() {
	ceph := flag.String("ceph", "HEALTH_OK", "status.ceph.health the CephCluster reports once running (HEALTH_OK or HEALTH_WARN)")
	badLab := flag.Bool("bad-lab", false, "a malformed lab file: the labs ApplicationSet reports ErrorOccurred")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	self := flag.Bool("selftest", false, "run argo-cd's own health_test.yaml cases through the Lua port, print JSON")
	flag.Parse()
	if *self {
		res, err := selftest()
		if err != nil {
			fmt.Fprintln(os.Stderr, "converge:", err)
			os.Exit(2)
		}
		out, _ := json.MarshalIndent(res, "", "  ")
		fmt.Println(string(out))
		if len(res.Failed) > 0 {
			os.Exit(1)
		}
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: converge [-ceph HEALTH_WARN] [-bad-lab] [-json] <rendered-site-dir>")
		os.Exit(2)
	}
	res, err := run(flag.Arg(0), *ceph, *badLab)
	if err != nil {
		fmt.Fprintln(os.Stderr, "converge:", err)
		os.Exit(2)
	}
	if *asJSON {
		out, _ := json.MarshalIndent(res, "", "  ")
		fmt.Println(string(out))
	} else {
		for _, w := range res.Waves {
			fmt.Printf("wave %d:\n", w.Wave)
			for _, c := range w.Children {
				fmt.Printf("  %-14s %-28s %s %s\n", c.Kind, c.Name, c.Health, c.Message)
			}
		}
		for _, p := range res.Problems {
			fmt.Println("PROBLEM:", p)
		}
	}
	if !res.Converged || len(res.Problems) > 0 {
		os.Exit(1)
	}
}

func run(site, ceph string, badLab bool) (*result, error) {
	children, err := readChildren(filepath.Join(site, "apps"))
	if err != nil {
		return nil, err
	}
	overrides, err := argocdHealthOverrides(filepath.Join(site, "components", "argocd", "values.yaml"))
	if err != nil {
		return nil, err
	}
	w := newWorld(site, ceph, badLab, overrides)
	waves := map[int][]child{}
	for _, c := range children {
		waves[c.wave] = append(waves[c.wave], c)
	}
	order := make([]int, 0, len(waves))
	for k := range waves {
		order = append(order, k)
	}
	sort.Ints(order)
	res := &result{Site: site, Ceph: ceph, BadLab: badLab, Converged: true, Problems: []string{}}
	for _, wave := range order {
		// ArgoCD applies the whole wave, then waits until every object of it is Healthy (the root app's
		// health for Applications comes from the argocd-cm Lua customization).
		for _, c := range waves[wave] {
			if err := w.create(c.obj); err != nil {
				return nil, err
			}
		}
		w.settle()
		wr := waveResult{Wave: wave, Healthy: true}
		for _, c := range waves[wave] {
			hs, err := w.childHealth(c.obj)
			if err != nil {
				return nil, err
			}
			wr.Children = append(wr.Children, appResult{Name: c.obj.GetName(), Kind: c.obj.GetKind(), Health: string(hs.Status), Message: hs.Message})
			if hs.Status != health.HealthStatusHealthy {
				wr.Healthy = false
			}
		}
		res.Waves = append(res.Waves, wr)
		res.Problems = append(res.Problems, w.drainProblems()...)
		if !wr.Healthy {
			res.Converged = false
			stuck := wave
			res.StuckAt = &stuck
			var names []string
			for _, c := range wr.Children {
				if c.Health != string(health.HealthStatusHealthy) {
					names = append(names, fmt.Sprintf("%s %s is %s (%s)", c.Kind, c.Name, c.Health, c.Message))
				}
			}
			res.Problems = append(res.Problems, fmt.Sprintf("wave %d never becomes Healthy, so the root Application creates no later wave: %s", wave, strings.Join(names, "; ")))
			break
		}
	}
	res.PlatformHealthy = w.platformHealthy(children)
	return res, nil
}

// readChildren reads every object the root Application syncs (apps/*.yaml) with its sync wave.
func readChildren(dir string) ([]child, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []child
	for _, f := range files {
		objs, err := readObjects(f)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			wave := 0
			if s, ok := o.GetAnnotations()[waveAnnotation]; ok {
				if wave, err = strconv.Atoi(s); err != nil {
					return nil, fmt.Errorf("%s: %s %s: sync-wave %q is not an integer", f, o.GetKind(), o.GetName(), s)
				}
			}
			out = append(out, child{obj: o, wave: wave})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no Applications found (is this a rendered site?)", dir)
	}
	return out, nil
}

func readObjects(file string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for i, doc := range strings.Split("\n"+string(data), "\n---") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i+1, err)
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out, nil
}

// argocdHealthOverrides reads the resource.customizations.health.<group>_<kind> keys of argocd-cm from the
// argo-cd chart values (configs.cm), keyed the way ArgoCD's settings manager keys them: "<group>/<kind>".
func argocdHealthOverrides(valuesFile string) (map[string]resourceOverride, error) {
	data, err := os.ReadFile(valuesFile)
	if err != nil {
		return nil, err
	}
	var v struct {
		Configs struct {
			CM map[string]any `json:"cm"`
		} `json:"configs"`
	}
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", valuesFile, err)
	}
	const prefix = "resource.customizations.health."
	out := map[string]resourceOverride{}
	for k, val := range v.Configs.CM {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("%s: configs.cm.%s is not a string", valuesFile, k)
		}
		gk := strings.TrimPrefix(k, prefix)
		if i := strings.Index(gk, "_"); i >= 0 {
			gk = gk[:i] + "/" + gk[i+1:]
		}
		out[gk] = resourceOverride{HealthLua: s}
	}
	return out, nil
}

// assess runs ArgoCD's resource health: argocd-cm customizations, then the built-in Lua scripts, then
// gitops-engine's Go checks (nil = no health for this kind, which ArgoCD leaves out of the app's health).
func assess(o *unstructured.Unstructured, overrides map[string]resourceOverride) (*health.HealthStatus, error) {
	return health.GetResourceHealth(o, healthOverrides(overrides))
}
