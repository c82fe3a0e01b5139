; Cartograph tags for C, also read for C++ (whose grammar extends C's). Extends the
; tags query shipped by tree-sitter-c with struct fields, enumerators, macros,
; globals, includes, calls and member accesses. Code under `#if`/`#ifdef` is read in
; every branch; macro bodies are not expanded.

(field_declaration_list (field_declaration declarator: (field_identifier) @name) @definition.field)
(field_declaration_list (field_declaration declarator: (pointer_declarator declarator: (field_identifier) @name)) @definition.field)
(field_declaration_list (field_declaration declarator: (array_declarator declarator: (field_identifier) @name)) @definition.field)
(enumerator name: (identifier) @name) @definition.enum_member
(preproc_def name: (identifier) @name) @definition.macro
(preproc_function_def name: (identifier) @name) @definition.macro
(translation_unit (declaration declarator: (init_declarator declarator: (identifier) @name)) @definition.variable)
; a function's definition spans its body (the crate's pattern stops at its declarator)
(function_definition declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))) @definition.function

; references
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression field: (field_identifier) @name)) @reference.call
(field_expression field: (field_identifier) @name) @reference.other
(type_identifier) @name @reference.type

; includes: `#include "cart.h"` (resolved from the including file's directory, then
; the project's include roots), `#include <grpcpp/grpcpp.h>`
(preproc_include path: (string_literal) @import.module) @import
(preproc_include path: (system_lib_string) @import.module) @import

; bindings: names whose type the syntax shows (`struct queue *q` too)
(parameter_declaration type: (struct_specifier name: (type_identifier) @binding.type) declarator: [(identifier) @binding.name (pointer_declarator declarator: (identifier) @binding.name)])
(declaration type: (struct_specifier name: (type_identifier) @binding.type) declarator: [(identifier) @binding.name (init_declarator declarator: (identifier) @binding.name) (pointer_declarator declarator: (identifier) @binding.name) (init_declarator declarator: (pointer_declarator declarator: (identifier) @binding.name))])
(field_declaration type: [(type_identifier) @binding.type (struct_specifier name: (type_identifier) @binding.type)] declarator: [(field_identifier) @binding.name (pointer_declarator declarator: (field_identifier) @binding.name)])
(parameter_declaration type: (type_identifier) @binding.type declarator: [(identifier) @binding.name (pointer_declarator declarator: (identifier) @binding.name)])
(declaration type: (type_identifier) @binding.type declarator: [(identifier) @binding.name (init_declarator declarator: (identifier) @binding.name) (pointer_declarator declarator: (identifier) @binding.name) (init_declarator declarator: (pointer_declarator declarator: (identifier) @binding.name))])

; any other identifier, kept when the file defines or includes its name
(identifier) @name @reference.identifier

; locals: parameters and names declared inside functions
(parameter_declaration declarator: (identifier) @local)
(parameter_declaration declarator: (pointer_declarator declarator: (identifier) @local))
(compound_statement (declaration declarator: [(identifier) @local (init_declarator declarator: (identifier) @local) (init_declarator declarator: (pointer_declarator declarator: (identifier) @local)) (pointer_declarator declarator: (identifier) @local)]))
(for_statement initializer: (declaration declarator: [(identifier) @local (init_declarator declarator: (identifier) @local) (init_declarator declarator: (pointer_declarator declarator: (identifier) @local))]))
