; Cartograph tags for Protocol Buffers (tree-sitter-proto ships no tags query).

(package (full_ident) @name) @definition.module
(service (service_name (identifier) @name)) @definition.service
(rpc (rpc_name (identifier) @name)) @definition.rpc
(message (message_name (identifier) @name)) @definition.message
(enum (enum_name (identifier) @name)) @definition.enum
(enum_field (identifier) @name) @definition.enum_member
(field (identifier) @name) @definition.field
(map_field (identifier) @name) @definition.field
(oneof_field (identifier) @name) @definition.field
(oneof . (identifier) @name) @definition.field

; references: message types used by rpcs and fields
(rpc (message_or_enum_type (identifier) @name .) @reference.type)
(type (message_or_enum_type (identifier) @name .)) @reference.type

; imports
(import path: (string) @import.module) @import
