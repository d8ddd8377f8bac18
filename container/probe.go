package container

import (
	"encoding/json"
	"fmt"
)

// LastAppliedAnnotation is the pod annotation kubectl writes with the pod
// as it was applied; liveness and readiness probes are read from it.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// ProbeFromHealthcheck turns a docker HEALTHCHECK test (Config.Healthcheck.Test:
// ["CMD", exe, args...] or ["CMD-SHELL", command]) into a Probe. It returns
// nil for ["NONE"], an empty test or an unknown form.
func ProbeFromHealthcheck(test []string) *Probe {
	if len(test) < 2 {
		return nil
	}
	switch test[0] {
	case "CMD":
		p := &Probe{Exe: unquote(test[1])}
		for _, a := range test[2:] {
			p.Args = append(p.Args, unquote(a))
		}
		return p
	case "CMD-SHELL":
		return &Probe{Exe: "/bin/sh", Args: []string{"-c", test[1]}}
	}
	return nil
}

// unquote removes matching pairs of surrounding quotes, the way the health
// probe command shows up in the process's arguments.
func unquote(s string) string {
	for len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	return s
}

type podSpecJSON struct {
	Spec struct {
		Containers []struct {
			Name           string         `json:"name"`
			LivenessProbe  *probeSpecJSON `json:"livenessProbe"`
			ReadinessProbe *probeSpecJSON `json:"readinessProbe"`
		} `json:"containers"`
	} `json:"spec"`
}

type probeSpecJSON struct {
	Exec *struct {
		Command []string `json:"command"`
	} `json:"exec"`
}

func (p *probeSpecJSON) probe() *Probe {
	if p == nil || p.Exec == nil || len(p.Exec.Command) == 0 {
		return nil
	}
	pr := &Probe{Exe: unquote(p.Exec.Command[0])}
	for _, a := range p.Exec.Command[1:] {
		pr.Args = append(pr.Args, unquote(a))
	}
	return pr
}

// ProbesFromPodSpec reads the exec liveness and readiness probes of one
// container from a pod manifest in JSON (the value of
// LastAppliedAnnotation). The container is found by name; when name is
// empty or absent, the pod's first container is used. Probes that are not
// exec probes are nil.
func ProbesFromPodSpec(manifest, name string) (liveness, readiness *Probe, err error) {
	var pod podSpecJSON
	if err := json.Unmarshal([]byte(manifest), &pod); err != nil {
		return nil, nil, fmt.Errorf("parse pod manifest: %w", err)
	}
	cs := pod.Spec.Containers
	if len(cs) == 0 {
		return nil, nil, nil
	}
	i := 0
	for j := range cs {
		if cs[j].Name == name && name != "" {
			i = j
			break
		}
	}
	return cs[i].LivenessProbe.probe(), cs[i].ReadinessProbe.probe(), nil
}
