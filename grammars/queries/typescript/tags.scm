; Cartograph tags for TypeScript (added to the JavaScript patterns).

(abstract_class_declaration name: (type_identifier) @name) @definition.class
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
; enum members, bare (`Object,`) or assigned (`Ready = "ready"`)
(enum_body name: (property_identifier) @name @definition.enum_member)
(enum_body (enum_assignment name: (property_identifier) @name) @definition.enum_member)
(internal_module name: (_) @name) @definition.module
(module name: (_) @name) @definition.module
(method_signature name: (property_identifier) @name) @definition.method
; a construct signature (`new (def: D): T` of an interface or object type): what
; `new` of a value of that type takes
(construct_signature "new" @name) @definition.method
(abstract_method_signature name: (property_identifier) @name) @definition.method
(public_field_definition name: (property_identifier) @name) @definition.field
(public_field_definition name: (private_property_identifier) @name) @definition.field
(interface_body (property_signature name: (property_identifier) @name) @definition.field)
; members of an object type a type alias names (`type Options = { json?: unknown }`)
(type_alias_declaration value: (object_type (property_signature name: (property_identifier) @name) @definition.field))
; members of an object type written as a field's type (`common: { issues: .. }`): the
; field's own members
(property_signature type: (type_annotation (object_type (property_signature name: (property_identifier) @name) @definition.field)))
(public_field_definition type: (type_annotation (object_type (property_signature name: (property_identifier) @name) @definition.field)))
(function_signature name: (identifier) @name) @definition.function

(type_identifier) @name @reference.type
(implements_clause (type_identifier) @name @reference.implement)
(extends_type_clause (type_identifier) @name @reference.inherit)
(class_heritage (extends_clause value: (identifier) @name @reference.inherit))
; generic and namespace-qualified bases: `extends Base<A, B>`, `extends ns.Base`,
; `implements ns.Api<T>`, `class C extends ns.Base`
(implements_clause [
  (generic_type name: [(type_identifier) @name (nested_type_identifier name: (type_identifier) @name)])
  (nested_type_identifier name: (type_identifier) @name)] @reference.implement)
(extends_type_clause [
  (generic_type name: [(type_identifier) @name (nested_type_identifier name: (type_identifier) @name)])
  (nested_type_identifier name: (type_identifier) @name)] @reference.inherit)
(class_heritage (extends_clause value: (member_expression property: (property_identifier) @name) @reference.inherit))

; bindings: typed parameters and variables
(required_parameter pattern: (identifier) @binding.name type: (type_annotation (type_identifier) @binding.type))
(optional_parameter pattern: (identifier) @binding.name type: (type_annotation (type_identifier) @binding.type))
(variable_declarator name: (identifier) @binding.name type: (type_annotation (type_identifier) @binding.type))
; a generic or namespace-qualified type names its type too: `Store<T>`, `schemas.Schema`,
; `core.Box<T>`; an array or a collection holds its elements (`Item[]`, `Array<Item>`,
; `Map<K, Item>`: see `written_type`)
(required_parameter pattern: (identifier) @binding.name type: (type_annotation [
  (generic_type) (array_type) (readonly_type)] @binding.type))
(required_parameter pattern: (identifier) @binding.name type: (type_annotation
  (nested_type_identifier name: (type_identifier) @binding.type)))
(optional_parameter pattern: (identifier) @binding.name type: (type_annotation [
  (generic_type) (array_type) (readonly_type)] @binding.type))
(optional_parameter pattern: (identifier) @binding.name type: (type_annotation
  (nested_type_identifier name: (type_identifier) @binding.type)))
(variable_declarator name: (identifier) @binding.name type: (type_annotation [
  (generic_type) (array_type) (readonly_type)] @binding.type))
(variable_declarator name: (identifier) @binding.name type: (type_annotation
  (nested_type_identifier name: (type_identifier) @binding.type)))

; a value a call returns (`const cart = shop.cart()`, `await load()`): typed by what
; the function declares it returns
(variable_declarator name: (identifier) @binding.name !type value: [
  (call_expression function: [(identifier) @binding.type (member_expression property: (property_identifier) @binding.type)])
  (await_expression (call_expression function: [(identifier) @binding.type (member_expression property: (property_identifier) @binding.type)]))])

; elements of a collection: `for (const x of xs)`, and the first parameter of a
; callback that iterates (`xs.forEach((x) => ..)`, `xs.map(x => ..)`)
(for_in_statement left: (identifier) @element.name operator: "of" right: (_) @element.of) @element.scope
; an element taken by index (`const first = items[0]`), to the end of its block
(statement_block (lexical_declaration (variable_declarator name: (identifier) @element.name !type
  value: (subscript_expression object: (_) @element.of)))) @element.scope
(call_expression
  function: (member_expression object: (_) @element.of property: (property_identifier) @_iterates)
  arguments: (arguments . (arrow_function parameter: (identifier) @element.name) @element.scope)
  (#match? @_iterates "^(forEach|map|flatMap|filter|find|findLast|findIndex|findLastIndex|some|every)$"))
(call_expression
  function: (member_expression object: (_) @element.of property: (property_identifier) @_iterates)
  arguments: (arguments . (arrow_function parameters: (formal_parameters . (required_parameter pattern: (identifier) @element.name !type))) @element.scope)
  (#match? @_iterates "^(forEach|map|flatMap|filter|find|findLast|findIndex|findLastIndex|some|every)$"))

; the parameters of a function passed as an argument (`(inst, def) => ..` of
; `init("X", (inst, def) => ..)`) or assigned to a member (`inst._zod.parse =
; (payload, ctx) => ..`): typed as the callee or the member declares them (where the
; function is is read by `callback_binding`)
[
  (arrow_function parameter: (identifier) @callback.name)
  (arrow_function parameters: (formal_parameters [
    (required_parameter pattern: (identifier) @callback.name !type)
    (optional_parameter pattern: (identifier) @callback.name !type)]))
  (function_expression parameters: (formal_parameters [
    (required_parameter pattern: (identifier) @callback.name !type)
    (optional_parameter pattern: (identifier) @callback.name !type)]))] @callback.function

; a value of a union with `undefined` or `null` (`state: undefined | ImmerState`): the
; one named type in it
(required_parameter pattern: (identifier) @binding.name type: (type_annotation (union_type) @binding.type))
(optional_parameter pattern: (identifier) @binding.name type: (type_annotation (union_type) @binding.type))
(variable_declarator name: (identifier) @binding.name type: (type_annotation (union_type) @binding.type))

; a value cast to a type (`const s = issue as StringIssue`)
(variable_declarator name: (identifier) @binding.name value: (as_expression (_)
  [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @binding.type))

; a member named in an indexed access type (`T["_zod"]["def"]`): a member of the type
; indexed
(lookup_type (literal_type (string) @name) @reference.key)

; keys of an object literal written for a type (`const s: State = { scope_: 1 }`,
; `return { .. }` in a function declaring its result, `{ .. } as T`): members of that
; type (see `key_type`; a literal with no such type keeps none)
(object (pair key: (property_identifier) @name) @reference.key)
(object (shorthand_property_identifier) @name @reference.key)

; locals: typed parameters
(required_parameter pattern: (identifier) @local)
(optional_parameter pattern: (identifier) @local)
(required_parameter pattern: (object_pattern (shorthand_property_identifier_pattern) @local))
