; Cartograph tags for Apache Thrift IDL (the grammar ships no tags query).
; A `service` is a service and its functions are rpcs, as in a `.proto`; structs,
; unions and exceptions are messages; the file's first `namespace` is its package
; (read by the extraction: one file names one namespace per target language).

(service_definition . (identifier) @name) @definition.service
(function_definition (identifier) @name) @definition.rpc
(struct_definition . (identifier) @name) @definition.message
(union_definition . (identifier) @name) @definition.message
(exception_definition . (identifier) @name) @definition.message
(enum_definition . (identifier) @name) @definition.enum
(enum_definition (identifier) @name @definition.enum_member)
(senum_definition . (identifier) @name) @definition.enum
(field (identifier) @name) @definition.field
(typedef_definition (typedef_identifier) @name) @definition.type
(const_definition (identifier) @name) @definition.constant

; references: types of fields, parameters, results and exceptions (`shared.Post`
; is `Post` reached through the include `shared`), and the service a service extends
(type (identifier) @name .) @reference.type
(service_definition . (identifier) (identifier) @name .) @reference.inherit
(service_definition . (identifier) (identifier) @name . [(function_definition) (annotation_definition) (fb_annotation_definition)]) @reference.inherit

; includes: `include "shared.thrift"`, beside the including file or under an include root
(include_statement (string (string_fragment) @import.module)) @import
