; Cartograph tags for C++, after the C patterns (`queries/c/tags.scm`). Namespaces
; qualify what they hold; classes and structs hold their members; an out-of-class
; definition (`void Cart::Add() {}`) belongs to the class its scope names.

(namespace_definition name: (namespace_identifier) @name) @definition.module
(namespace_definition name: (nested_namespace_specifier) @name) @definition.module
(class_specifier name: (type_identifier) @name body: (_)) @definition.class
(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name body: (_)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum
(alias_declaration name: (type_identifier) @name) @definition.type
(type_definition declarator: (type_identifier) @name) @definition.type
(concept_definition name: (identifier) @name) @definition.type

; functions and methods: free functions, members declared or defined in a class,
; out-of-class definitions, constructors and destructors, operators
(function_definition declarator: (reference_declarator (function_declarator declarator: (identifier) @name))) @definition.function
(field_declaration_list (function_definition declarator: (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)) @definition.method)
(field_declaration_list (field_declaration declarator: (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)) @definition.method)
(field_declaration_list (declaration declarator: (function_declarator declarator: [(identifier) (destructor_name)] @name)) @definition.constructor)
(field_declaration_list (template_declaration (function_definition declarator: (function_declarator declarator: [(field_identifier) (identifier)] @name)) @definition.method))
(function_definition
  declarator: (function_declarator
    declarator: (qualified_identifier
      scope: [(namespace_identifier) @receiver (template_type name: (type_identifier) @receiver)]
      name: [(identifier) (destructor_name) (operator_name)] @name))) @definition.method
(function_definition
  declarator: (pointer_declarator (function_declarator
    declarator: (qualified_identifier
      scope: [(namespace_identifier) @receiver (template_type name: (type_identifier) @receiver)]
      name: (identifier) @name)))) @definition.method
(function_definition
  declarator: (reference_declarator (function_declarator
    declarator: (qualified_identifier
      scope: [(namespace_identifier) @receiver (template_type name: (type_identifier) @receiver)]
      name: (identifier) @name)))) @definition.method

; inheritance: `class CartService final : public Cart::Service`
(base_class_clause (type_identifier) @name) @reference.inherit
(base_class_clause (qualified_identifier name: (type_identifier) @name)) @reference.inherit
(base_class_clause (template_type name: (type_identifier) @name)) @reference.inherit
(base_class_clause (qualified_identifier name: (template_type name: (type_identifier) @name))) @reference.inherit

; references through `::`: `Cart::Stub`, `std::make_unique<T>()`, `ns::f()`
(call_expression function: (qualified_identifier name: (identifier) @name)) @reference.call
(call_expression function: (qualified_identifier name: (template_function name: (identifier) @name))) @reference.call
; calls through nested namespaces: `absl::time_internal::cctz::format(...)`, `a::b::F<T>(...)`
(call_expression function: (qualified_identifier name: (qualified_identifier name: [(identifier) @name (template_function name: (identifier) @name)]))) @reference.call
(call_expression function: (qualified_identifier name: (qualified_identifier name: (qualified_identifier name: [(identifier) @name (template_function name: (identifier) @name)])))) @reference.call
(call_expression function: (qualified_identifier name: (qualified_identifier name: (qualified_identifier name: (qualified_identifier name: [(identifier) @name (template_function name: (identifier) @name)]))))) @reference.call
(call_expression function: (template_function name: (identifier) @name)) @reference.call
(call_expression function: (field_expression field: (template_method name: (field_identifier) @name))) @reference.call
(new_expression type: (type_identifier) @name) @reference.call
(new_expression type: (qualified_identifier name: (type_identifier) @name)) @reference.call
(qualified_identifier name: (type_identifier) @name) @reference.type

; `using namespace cart;`, `using cart::Cart;`
(using_declaration (identifier) @import.module) @import
(using_declaration (qualified_identifier) @import.module) @import

; bindings: typed parameters, fields and locals (`std::unique_ptr<Cart::Stub> stub_`)
(field_declaration type: (type_identifier) @binding.type declarator: [(field_identifier) @binding.name (pointer_declarator declarator: (field_identifier) @binding.name)])
(field_declaration type: (qualified_identifier name: (type_identifier) @binding.type) declarator: [(field_identifier) @binding.name (pointer_declarator declarator: (field_identifier) @binding.name)] (#not-eq? @binding.type "Stub"))
(field_declaration type: (template_type arguments: (template_argument_list (type_descriptor type: (qualified_identifier name: (type_identifier) @binding.type)))) declarator: (field_identifier) @binding.name (#not-eq? @binding.type "Stub"))
(parameter_declaration type: (qualified_identifier name: (type_identifier) @binding.type) declarator: [(identifier) @binding.name (pointer_declarator declarator: (identifier) @binding.name) (reference_declarator (identifier) @binding.name)] (#not-eq? @binding.type "Stub"))
(parameter_declaration type: (type_identifier) @binding.type declarator: (reference_declarator (identifier) @binding.name))
(declaration type: (qualified_identifier name: (type_identifier) @binding.type) declarator: [(identifier) @binding.name (init_declarator declarator: (identifier) @binding.name)])
; `shop::CartClient cart(channel);` in a body constructs a `CartClient` (no function declaration)
(compound_statement (declaration type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))] declarator: (function_declarator declarator: (identifier) @binding.name)))

; locals
(parameter_declaration declarator: (reference_declarator (identifier) @local))
(for_range_loop declarator: (identifier) @local)
(for_range_loop declarator: (reference_declarator (identifier) @local))
(compound_statement (declaration declarator: (init_declarator declarator: (reference_declarator (identifier) @local))))
(for_statement initializer: (declaration declarator: (init_declarator declarator: (reference_declarator (identifier) @local))))

; gRPC servers: `class CartServiceImpl final : public CartService::Service` (also
; `AsyncService`, `CallbackService`, `WithAsyncMethod_X<...>`) serves CartService
(base_class_clause
  (qualified_identifier
    scope: (namespace_identifier) @name
    name: [(type_identifier) @_base (template_type name: (type_identifier) @_base)])
  (#match? @_base "^(Service|AsyncService|CallbackService|ExperimentalCallbackService|WithAsyncMethod_.*|WithCallbackMethod_.*)$")) @reference.inherit
(base_class_clause
  (qualified_identifier
    name: (qualified_identifier
      scope: (namespace_identifier) @name
      name: [(type_identifier) @_base (template_type name: (type_identifier) @_base)]))
  (#match? @_base "^(Service|AsyncService|CallbackService|ExperimentalCallbackService|WithAsyncMethod_.*|WithCallbackMethod_.*)$")) @reference.inherit
(base_class_clause
  (qualified_identifier
    name: (qualified_identifier
      name: (qualified_identifier
        scope: (namespace_identifier) @name
        name: [(type_identifier) @_base (template_type name: (type_identifier) @_base)])))
  (#match? @_base "^(Service|AsyncService|CallbackService|ExperimentalCallbackService|WithAsyncMethod_.*|WithCallbackMethod_.*)$")) @reference.inherit
(base_class_clause
  (qualified_identifier
    name: (qualified_identifier
      name: (qualified_identifier
        name: (qualified_identifier
          scope: (namespace_identifier) @name
          name: [(type_identifier) @_base (template_type name: (type_identifier) @_base)]))))
  (#match? @_base "^(Service|AsyncService|CallbackService|ExperimentalCallbackService|WithAsyncMethod_.*|WithCallbackMethod_.*)$")) @reference.inherit

; gRPC clients: a `CartService::Stub` held by pointer (`std::unique_ptr<CartService::Stub>
; stub_`), or made by `CartService::NewStub(channel)`, calls CartService's rpcs
(field_declaration
  type: [
    (template_type arguments: (template_argument_list (type_descriptor type: [
      (qualified_identifier scope: (namespace_identifier) @binding.type name: (type_identifier) @_s)
      (qualified_identifier name: (qualified_identifier scope: (namespace_identifier) @binding.type name: (type_identifier) @_s))])))
    (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [
      (qualified_identifier scope: (namespace_identifier) @binding.type name: (type_identifier) @_s)
      (qualified_identifier name: (qualified_identifier scope: (namespace_identifier) @binding.type name: (type_identifier) @_s))]))))]
  declarator: (field_identifier) @binding.name
  (#eq? @_s "Stub"))
(field_declaration
  type: (qualified_identifier scope: (namespace_identifier) @binding.type name: (type_identifier) @_s)
  declarator: [(field_identifier) @binding.name (pointer_declarator declarator: (field_identifier) @binding.name)]
  (#eq? @_s "Stub"))
(parameter_declaration
  type: (qualified_identifier scope: (namespace_identifier) @binding.type name: (type_identifier) @_s)
  declarator: [(pointer_declarator declarator: (identifier) @binding.name) (reference_declarator (identifier) @binding.name)]
  (#eq? @_s "Stub"))
(declaration
  declarator: (init_declarator
    declarator: (identifier) @binding.name
    value: (call_expression function: [
      (qualified_identifier scope: (namespace_identifier) @binding.type name: (identifier) @_n)
      (qualified_identifier name: (qualified_identifier scope: (namespace_identifier) @binding.type name: (identifier) @_n))]))
  (#eq? @_n "NewStub"))
(assignment_expression
  left: [(identifier) @binding.name (field_expression field: (field_identifier) @binding.name)]
  right: (call_expression function: [
    (qualified_identifier scope: (namespace_identifier) @binding.type name: (identifier) @_n)
    (qualified_identifier name: (qualified_identifier scope: (namespace_identifier) @binding.type name: (identifier) @_n))])
  (#eq? @_n "NewStub"))


; generated clients held in wrappers and pools: `ClientPool<ThriftClient<UserServiceClient>> *pool_`
; and `std::shared_ptr<CatalogServiceClient> client` are typed as the client they hold
(field_declaration type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))] declarator: [(field_identifier) @binding.name (pointer_declarator declarator: (field_identifier) @binding.name)] (#match? @binding.type "Client$"))
(field_declaration type: [(template_type arguments: (template_argument_list (type_descriptor type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))]))))] declarator: [(field_identifier) @binding.name (pointer_declarator declarator: (field_identifier) @binding.name)] (#match? @binding.type "Client$"))
(parameter_declaration type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))] declarator: [(identifier) @binding.name (pointer_declarator declarator: (identifier) @binding.name) (reference_declarator (identifier) @binding.name)] (#match? @binding.type "Client$"))
(parameter_declaration type: [(template_type arguments: (template_argument_list (type_descriptor type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))]))))] declarator: [(identifier) @binding.name (pointer_declarator declarator: (identifier) @binding.name) (reference_declarator (identifier) @binding.name)] (#match? @binding.type "Client$"))
(declaration type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))] declarator: [(identifier) @binding.name (init_declarator declarator: (identifier) @binding.name) (pointer_declarator declarator: (identifier) @binding.name) (init_declarator declarator: (pointer_declarator declarator: (identifier) @binding.name))] (#match? @binding.type "Client$"))
(declaration type: [(template_type arguments: (template_argument_list (type_descriptor type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))) (qualified_identifier name: (template_type arguments: (template_argument_list (type_descriptor type: [(type_identifier) @binding.type (qualified_identifier name: (type_identifier) @binding.type) (qualified_identifier name: (qualified_identifier name: (type_identifier) @binding.type))]))))]))))] declarator: [(identifier) @binding.name (init_declarator declarator: (identifier) @binding.name) (pointer_declarator declarator: (identifier) @binding.name) (init_declarator declarator: (pointer_declarator declarator: (identifier) @binding.name))] (#match? @binding.type "Client$"))
; a value taken from another (`auto wrapper = pool_->Pop()`, `auto client = wrapper->GetClient()`)
; holds what that one holds, for a pool or wrapper of clients
(declaration type: (placeholder_type_specifier) declarator: (init_declarator declarator: [(identifier) @binding.name (pointer_declarator declarator: (identifier) @binding.name)] value: (call_expression function: (field_expression argument: [(identifier) @binding.from (field_expression argument: (this) field: (field_identifier) @binding.from)]))))

; gtest and benchmark fixtures: `TEST_F(CartTest, AddsItem) { Add(1); }` is a method of
; the fixture (bare names in it are the fixture's members)
(function_definition
  declarator: (function_declarator
    declarator: (identifier) @_m
    parameters: (parameter_list
      . (parameter_declaration type: (type_identifier) @receiver)
      . (parameter_declaration type: (type_identifier) @name)))
  (#match? @_m "^(TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P|BENCHMARK_F|BENCHMARK_DEFINE_F)$")) @definition.method
(function_definition
  declarator: (function_declarator
    declarator: (identifier) @_m
    parameters: (parameter_list
      . (parameter_declaration type: (type_identifier))
      . (parameter_declaration type: (type_identifier) @name)))
  (#eq? @_m "TEST")) @definition.function

; template parameters: no use of `T` inside `template <typename T> ...` names a definition
(template_parameter_list [
  (type_parameter_declaration (type_identifier) @template.param)
  (optional_type_parameter_declaration name: (type_identifier) @template.param)
  (variadic_type_parameter_declaration (type_identifier) @template.param)
  (parameter_declaration declarator: (identifier) @template.param)
  (optional_parameter_declaration declarator: (identifier) @template.param)])

; rpc addresses: `std::make_shared<TSocket>("catalog", 9090)`, `new TSocket(host, port)`,
; `grpc::CreateChannel("pricing:50051", creds)`
(call_expression
  function: (qualified_identifier name: (template_function arguments: (template_argument_list (type_descriptor type: [(type_identifier) @_t (qualified_identifier name: (type_identifier) @_t)]))))
  arguments: (argument_list . (_) @rpc.address)
  (#match? @_t "^(TSocket|TSSLSocket)$"))
(new_expression
  type: [(type_identifier) @_t (qualified_identifier name: (type_identifier) @_t)]
  arguments: (argument_list . (_) @rpc.address)
  (#match? @_t "^(TSocket|TSSLSocket)$"))
(call_expression
  function: [(identifier) @_f (qualified_identifier name: (identifier) @_f)]
  arguments: (argument_list . (_) @rpc.address)
  (#match? @_f "^(CreateChannel|CreateCustomChannel)$"))
