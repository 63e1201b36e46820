// pulumi-gen-sdk: generates a package's SDK from its schema.json with Pulumi's own code generators
// (pkg/v3/codegen/{go,nodejs,python}), for a CLI whose language hosts are too old to do it
// (`pulumi package gen-sdk` asks the language host). C# is not here: its generator has left pkg/v3
// for pulumi/pulumi-dotnet, which the module proxy this project reaches refuses.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-gen-sdk"

// The generators, by the names `pulumi package gen-sdk --language` uses.
var generators = map[string]func(*schema.Package) (map[string][]byte, error){
	"go": func(pkg *schema.Package) (map[string][]byte, error) {
		return gogen.GeneratePackage(tool, pkg, nil)
	},
	"nodejs": func(pkg *schema.Package) (map[string][]byte, error) {
		return nodejsgen.GeneratePackage(tool, pkg, nil, nil, false, noReferences{})
	},
	"python": func(pkg *schema.Package) (map[string][]byte, error) {
		return pythongen.GeneratePackage(tool, pkg, nil, noReferences{})
	},
}

func main() {
	language := flag.String("language", "go", "the SDK's language: go, nodejs or python")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: pulumi-gen-sdk [-language go|nodejs|python] <schema.json> <out dir>")
	}
	flag.Parse()
	generate, known := generators[*language]
	if flag.NArg() != 2 || !known {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(generate, flag.Arg(0), flag.Arg(1)); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-gen-sdk:", err)
		os.Exit(1)
	}
}

func run(generate func(*schema.Package) (map[string][]byte, error), schemaPath, out string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := generate(pkg)
	if err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// The schema references no other package: nothing to load.
type noReferences struct{}

func (noReferences) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q: not supported", pkg)
}

func (noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q: not supported", d.Name)
}

func (noReferences) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema references package %q: not supported", pkg)
}

func (noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema references package %q: not supported", d.Name)
}
