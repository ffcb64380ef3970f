package main

// selftest: runs argo-cd v3.4.4's own health test cases (resource_customizations/<group>/<kind>/
// health_test.yaml with their testdata, embedded in the module) through this port of util/lua, the way
// argo-cd's util/lua/health_test.go does, so the port is checked against upstream's expected results.

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/argoproj/argo-cd/v3/resource_customizations"
	"github.com/argoproj/gitops-engine/pkg/health"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

type selftestResult struct {
	Passed  int      `json:"passed"`
	Failed  []string `json:"failed"`
	Skipped []string `json:"skipped"` // wildcard ("_.group", "group/_") scripts, which this port does not look up
	Kinds   []string `json:"kinds"`   // group/Kind whose cases all passed
}

func selftest() (*selftestResult, error) {
	res := &selftestResult{Failed: []string{}, Skipped: []string{}, Kinds: []string{}}
	fsys := resource_customizations.Embedded
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) != "health_test.yaml" {
			return err
		}
		dir := path.Dir(p)
		if strings.HasPrefix(dir, "_.") || strings.HasSuffix(dir, "/_") {
			res.Skipped = append(res.Skipped, dir)
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var spec struct {
			Tests []struct {
				HealthStatus health.HealthStatus `json:"healthStatus"`
				InputPath    string              `json:"inputPath"`
			} `json:"tests"`
		}
		if err := yaml.Unmarshal(data, &spec); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		allOK := true
		for _, tc := range spec.Tests {
			in, err := fs.ReadFile(fsys, path.Join(dir, tc.InputPath))
			if err != nil {
				return err
			}
			obj := map[string]any{}
			if err := yaml.Unmarshal(in, &obj); err != nil {
				return fmt.Errorf("%s: %w", tc.InputPath, err)
			}
			u := &unstructured.Unstructured{Object: obj}
			script, _, err := healthOverrides{}.healthScript(u)
			if err == nil && script == "" {
				err = fmt.Errorf("no script found for %s", u.GroupVersionKind())
			}
			var got *health.HealthStatus
			if err == nil {
				got, err = executeHealthLua(u, script, true) // upstream's test runs with UseOpenLibs: true
			}
			name := path.Join(dir, tc.InputPath)
			switch {
			case err != nil:
				res.Failed = append(res.Failed, fmt.Sprintf("%s: %v", name, err))
				allOK = false
			case got.Status != tc.HealthStatus.Status || got.Message != tc.HealthStatus.Message:
				res.Failed = append(res.Failed, fmt.Sprintf("%s: got %s %q, upstream expects %s %q", name, got.Status, got.Message, tc.HealthStatus.Status, tc.HealthStatus.Message))
				allOK = false
			default:
				res.Passed++
			}
		}
		if allOK {
			res.Kinds = append(res.Kinds, dir)
		}
		return nil
	})
	sort.Strings(res.Kinds)
	return res, err
}
