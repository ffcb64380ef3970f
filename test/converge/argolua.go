package main

// ArgoCD's Lua health path, ported line for line from argo-cd v3.4.4 util/lua/lua.go (GetResourceHealth,
// GetHealthScript, runLua, ExecuteHealthLua, decodeValue, isValidHealthStatusCode) over the same pieces:
// gopher-lua v1.1.1, layeh.com/gopher-json, and the built-in scripts embedded in argo-cd's own
// resource_customizations package. util/lua itself cannot be linked here: it imports
// github.com/argoproj/argo-cd/gitops-engine, which lives only inside the argo-cd repository (the Go module
// proxy answers 403), and argo-cd v3.4.4 does not compile against the nearest published gitops-engine
// (util/kube/kubectl.go calls KubectlCmd.ManageServerSideDiffDryRuns, which that version lacks).
// Not ported: wildcard keys (argocd-cm "*.group" and built-in "_.group" globs; no labctl kind uses one)
// and the "safe os" library (no health script of a kind labctl deploys calls os).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/argoproj/argo-cd/v3/resource_customizations"
	"github.com/argoproj/gitops-engine/pkg/health"
	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	luajson "layeh.com/gopher-json"
)

// resourceOverride: the health part of argo-cd's appv1.ResourceOverride (one argocd-cm customization).
type resourceOverride struct {
	HealthLua   string
	UseOpenLibs bool
}

type healthOverrides map[string]resourceOverride

// GetResourceHealth implements gitops-engine's health.HealthOverride as argo-cd's ResourceHealthOverrides does.
func (o healthOverrides) GetResourceHealth(obj *unstructured.Unstructured) (*health.HealthStatus, error) {
	script, useOpenLibs, err := o.healthScript(obj)
	if err != nil || script == "" {
		return nil, err
	}
	return executeHealthLua(obj, script, useOpenLibs)
}

// healthScript: argocd-cm first ("<group>/<Kind>"), then the script built into argo-cd.
func (o healthOverrides) healthScript(obj *unstructured.Unstructured) (string, bool, error) {
	gvk := obj.GroupVersionKind()
	key := gvk.Kind
	if gvk.Group != "" {
		key = gvk.Group + "/" + gvk.Kind
	}
	if s, ok := o[key]; ok && s.HealthLua != "" {
		return s.HealthLua, s.UseOpenLibs, nil
	}
	data, err := resource_customizations.Embedded.ReadFile(path.Join(key, "health.lua"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	return string(data), true, err // "standard libraries will be enabled for all built-in scripts"
}

func executeHealthLua(obj *unstructured.Unstructured, script string, useOpenLibs bool) (*health.HealthStatus, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: !useOpenLibs})
	defer l.Close()
	for _, pair := range []struct {
		n string
		f lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(pair.f), NRet: 0, Protect: true}, lua.LString(pair.n)); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", decodeValue(l, obj.Object))
	if err := l.DoString(script); err != nil {
		return nil, err
	}
	ret := l.Get(-1)
	switch ret.Type() {
	case lua.LTTable:
		b, err := luajson.Encode(ret)
		if err != nil {
			return nil, err
		}
		hs := &health.HealthStatus{}
		if err := json.Unmarshal(b, hs); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) { // an empty Lua table encodes as []
				return &health.HealthStatus{}, nil
			}
			return nil, err
		}
		switch hs.Status {
		case health.HealthStatusUnknown, health.HealthStatusProgressing, health.HealthStatusSuspended,
			health.HealthStatusHealthy, health.HealthStatusDegraded, health.HealthStatusMissing:
			return hs, nil
		}
		return &health.HealthStatus{Status: health.HealthStatusUnknown, Message: "Lua returned an invalid health status"}, nil
	case lua.LTNil:
		return &health.HealthStatus{}, nil
	}
	return nil, fmt.Errorf("expect table output from Lua script, not %s", ret.Type())
}

func decodeValue(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case json.Number:
		return lua.LString(v)
	case int:
		return lua.LNumber(v)
	case int32:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case []any:
		arr := l.CreateTable(len(v), 0)
		for _, item := range v {
			arr.Append(decodeValue(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(v))
		for k, item := range v {
			tbl.RawSetH(lua.LString(k), decodeValue(l, item))
		}
		return tbl
	}
	return lua.LNil
}
