package event

//go:generate go run ./internal/gen -spec ../../shared/spec -out zz_schema.go
