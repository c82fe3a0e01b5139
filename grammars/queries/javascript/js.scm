; JavaScript-only patterns (TypeScript names these nodes differently).
(field_definition property: (property_identifier) @name) @definition.field
(class_heritage (identifier) @name @reference.inherit)
(class_heritage (member_expression property: (property_identifier) @name) @reference.inherit)

; locals: plain parameters
(formal_parameters (identifier) @local)

; locals: destructured parameters (`function f({ a, b })`)
(formal_parameters (object_pattern (shorthand_property_identifier_pattern) @local))
