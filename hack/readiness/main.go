// Command readiness computes, for Kubernetes objects read as JSON, the readiness the tools
// compute: kstatus (sigs.k8s.io/cli-utils/pkg/kstatus/status.Compute, used by kpt, Config Sync,
// Flux's health checks, kubectl wait's kstatus mode) and an Argo CD health Lua script run the way
// Argo CD runs it: gopher-lua with only the package, base and table libraries and Argo's safe os
// (time and date), the object as the global obj, one second of budget.
//
//	readiness -lua examples/gitops/argocd/health.lua < object.json
//
// prints one JSON line: {"kstatus":..., "kstatusMessage":..., "argo":..., "argoMessage":...}.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type result struct {
	KStatus        string `json:"kstatus"`
	KStatusMessage string `json:"kstatusMessage"`
	Argo           string `json:"argo,omitempty"`
	ArgoMessage    string `json:"argoMessage,omitempty"`
}

func main() {
	script := flag.String("lua", "", "an Argo CD health.lua to run on the object as well")
	flag.Parse()
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading the object: %v", err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(in); err != nil {
		fail("decoding the object: %v", err)
	}
	r := result{}
	s, err := status.Compute(obj)
	if err != nil {
		fail("kstatus: %v", err)
	}
	r.KStatus, r.KStatusMessage = s.Status.String(), s.Message
	if *script != "" {
		text, err := os.ReadFile(*script)
		if err != nil {
			fail("reading %s: %v", *script, err)
		}
		r.Argo, r.ArgoMessage, err = argoHealth(obj.Object, string(text))
		if err != nil {
			fail("health.lua: %v", err)
		}
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "readiness: "+format+"\n", args...)
	os.Exit(1)
}

// argoHealth follows Argo CD's util/lua VM (runLua and GetHealthStatus): no standard libraries but
// package, base, table and a safe os; obj is set as a global; the script returns a table whose
// status must be one of Argo's health codes.
func argoHealth(obj map[string]any, script string) (string, string, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.OsLibName, openSafeOs},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true},
			lua.LString(lib.name)); err != nil {
			return "", "", err
		}
	}
	l.PreloadModule(lua.OsLibName, safeOsLoader)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", decode(l, obj))
	if err := l.DoString(script); err != nil {
		return "", "", err
	}
	table, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return "", "", fmt.Errorf("the script returned %s, not a table", l.Get(-1).Type())
	}
	st := lua.LVAsString(table.RawGetString("status"))
	switch st {
	case "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown":
	default:
		// Argo CD's answer to a status it does not know.
		return "Unknown", "Lua returned an invalid health status", nil
	}
	return st, lua.LVAsString(table.RawGetString("message")), nil
}

// decode turns JSON values into Lua values as Argo CD's decodeValue does (arrays 1-based).
func decode(l *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case map[string]any:
		t := l.NewTable()
		for k, e := range x {
			t.RawSetString(k, decode(l, e))
		}
		return t
	case []any:
		t := l.NewTable()
		for i, e := range x {
			t.RawSetInt(i+1, decode(l, e))
		}
		return t
	default:
		return lua.LString(fmt.Sprint(x))
	}
}

// Argo CD's safe os: time and date only (date here without format strings: the health check
// uses neither).
var safeOsFuncs = map[string]lua.LGFunction{
	"time": func(l *lua.LState) int { l.Push(lua.LNumber(time.Now().Unix())); return 1 },
	"date": func(l *lua.LState) int {
		l.Push(lua.LString(time.Now().Format(time.RFC3339)))
		return 1
	},
}

// openSafeOs registers the functions as Argo CD's OpenSafeOs does: into the table module (its
// RegisterModule names lua.TabLibName), so a script reaches os only through require("os").
func openSafeOs(l *lua.LState) int {
	t := l.RegisterModule(lua.TabLibName, safeOsFuncs)
	l.Push(t)
	return 1
}

func safeOsLoader(l *lua.LState) int {
	t := l.NewTable()
	l.SetFuncs(t, safeOsFuncs)
	l.Push(t)
	return 1
}
