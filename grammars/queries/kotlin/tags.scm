; Cartograph tags for Kotlin (tree-sitter-kotlin-ng): declarations, references,
; imports, bindings and locals, and the service patterns of its common frameworks
; (Spring annotations as in Java, Ktor routing, Retrofit, Kafka, gRPC-Kotlin).

(package_header (qualified_identifier) @name) @definition.module
(class_declaration name: (identifier) @name) @definition.class
(object_declaration name: (identifier) @name) @definition.class
(companion_object name: (identifier) @name) @definition.class
(enum_entry (identifier) @name) @definition.enum_member
(type_alias type: (identifier) @name) @definition.type
(class_body (function_declaration name: (identifier) @name) @definition.method)
(source_file (function_declaration name: (identifier) @name) @definition.function)
(class_body (property_declaration (variable_declaration (identifier) @name)) @definition.field)
(source_file (property_declaration (variable_declaration (identifier) @name)) @definition.constant)
; `class Cart(val id: String)`: constructor properties
(class_parameter ["val" "var"] (identifier) @name) @definition.field

; references
(call_expression (identifier) @name) @reference.call
(call_expression (navigation_expression (_) (identifier) @name .)) @reference.call
(navigation_expression (_) (identifier) @name .) @reference.other
(user_type (identifier) @name .) @reference.type
(delegation_specifier (user_type (identifier) @name .)) @reference.inherit
(delegation_specifier (constructor_invocation (user_type (identifier) @name .))) @reference.inherit

; imports: `import a.b.C`, `import a.b.C as D`, `import a.b.*`
(import (qualified_identifier) @import.module) @import
(import (qualified_identifier) (identifier) @import.alias) @import

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; bindings: names whose type the syntax shows
(parameter (identifier) @binding.name (user_type (identifier) @binding.type .))
(class_parameter (identifier) @binding.name (user_type (identifier) @binding.type .))
(property_declaration (variable_declaration (identifier) @binding.name (user_type (identifier) @binding.type .)))
(property_declaration (variable_declaration (identifier) @binding.name) (call_expression (identifier) @binding.type))
(property_declaration (variable_declaration (identifier) @binding.name) (call_expression (navigation_expression (_) (identifier) @binding.type .)))

; locals: parameters, names bound in bodies and lambdas
(parameter (identifier) @local)
(block (property_declaration (variable_declaration (identifier) @local)))
(lambda_parameters (variable_declaration (identifier) @local))
(for_statement (variable_declaration (identifier) @local))

; HTTP routes, Spring: `@GetMapping("/x") fun f()`, `@PostMapping(path = ["/x"])`,
; `@RequestMapping("/x")` on the class for a prefix
(function_declaration
  (modifiers (annotation (constructor_invocation
    (user_type (identifier) @http.method)
    (value_arguments . (value_argument . [(string_literal) @http.path (collection_literal . (string_literal) @http.path)])))))
  name: (identifier) @http.handler
  (#match? @http.method "^(Get|Post|Put|Delete|Patch|Request)Mapping$")) @http.route
(function_declaration
  (modifiers (annotation (constructor_invocation
    (user_type (identifier) @http.method)
    (value_arguments (value_argument (identifier) @_k [(string_literal) @http.path (collection_literal . (string_literal) @http.path)])))))
  name: (identifier) @http.handler
  (#match? @_k "^(value|path)$")
  (#match? @http.method "^(Get|Post|Put|Delete|Patch|Request)Mapping$")) @http.route
(function_declaration
  (modifiers (annotation (user_type (identifier) @http.method)))
  name: (identifier) @http.handler
  (#match? @http.method "^(Get|Post|Put|Delete|Patch)Mapping$")) @http.route
(class_declaration
  (modifiers (annotation (constructor_invocation
    (user_type (identifier) @_a)
    (value_arguments . (value_argument . [(string_literal) @http.prefix (collection_literal . (string_literal) @http.prefix)])))))
  (#eq? @_a "RequestMapping")) @http.scope
(class_declaration
  (modifiers (annotation (constructor_invocation
    (user_type (identifier) @_a)
    (value_arguments (value_argument (identifier) @_k [(string_literal) @http.prefix (collection_literal . (string_literal) @http.prefix)])))))
  (#match? @_k "^(value|path)$")
  (#eq? @_a "RequestMapping")) @http.scope
; Ktor: `routing { get("/x") { ... } }`, `route("/api") { post("/y") { } }`
(call_expression
  (call_expression
    (identifier) @http.method
    (value_arguments . (value_argument . (string_literal) @http.path)))
  (annotated_lambda) @http.handler
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route
(call_expression
  (call_expression
    (identifier) @_r
    (value_arguments . (value_argument . (string_literal) @http.prefix)))
  (annotated_lambda)
  (#eq? @_r "route")) @http.scope

; HTTP calls: RestTemplate `getForObject(url, ..)`, WebClient `.get().uri(url)`,
; Ktor client `client.get(url)`, Retrofit `@GET("x") fun f()` (a declaration the
; base URL completes)
(call_expression
  (navigation_expression (_) (identifier) @http.method .)
  (value_arguments . (value_argument (_) @http.url))
  (#match? @http.method "^(getForObject|getForEntity|postForObject|postForEntity|postForLocation|patchForObject)$")) @http.call
(call_expression
  (navigation_expression
    (call_expression (navigation_expression (_) (identifier) @http.method .))
    (identifier) @_u .)
  (value_arguments . (value_argument (_) @http.url))
  (#eq? @_u "uri")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
(call_expression
  (navigation_expression (identifier) @_c (identifier) @http.method .)
  (value_arguments . (value_argument [(string_literal) (identifier)] @http.url))
  (#match? @_c "(?i)client$")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call

; constants URLs and topics are built from
(property_declaration (variable_declaration (identifier) @const.name) (string_literal) @const.value)

; Kafka: `@KafkaListener(topics = ["orders"])`, `consumer.subscribe(listOf("orders"))`,
; `producer.send(ProducerRecord("orders", ..))`, `kafkaTemplate.send("orders", ..)`
(function_declaration
  (modifiers (annotation (constructor_invocation
    (user_type (identifier) @_a)
    (value_arguments (value_argument (identifier) @_k [(string_literal) @topic.name (collection_literal . (string_literal) @topic.name) (identifier) @topic.name])))))
  (#eq? @_a "KafkaListener")
  (#eq? @_k "topics")) @topic.consume
(call_expression
  (navigation_expression (_) (identifier) @_m .)
  (value_arguments . (value_argument (call_expression (identifier) @_l (value_arguments . (value_argument (_) @topic.name)))))
  (#eq? @_m "subscribe")
  (#match? @_l "^(listOf|setOf|mutableListOf|arrayListOf)$")) @topic.consume
(call_expression
  (navigation_expression (_) (identifier) @_m .)
  (value_arguments . (value_argument [(string_literal) (identifier)] @topic.name))
  (#eq? @_m "subscribe")) @topic.consume
(call_expression
  (identifier) @_t
  (value_arguments . (value_argument (_) @topic.name))
  (#eq? @_t "ProducerRecord")) @topic.produce
(call_expression
  (navigation_expression (identifier) @_o (identifier) @_m .)
  (value_arguments . (value_argument [(string_literal) (identifier)] @topic.name) . (_))
  (#match? @_o "(?i)template$")
  (#eq? @_m "send")) @topic.produce
; Spring's class prefix where the grammar reads the class's annotations as an
; expression before the class (`@RequestMapping("/x")` right after imports)
((annotated_expression
   (annotation (user_type (identifier) @_a))
   (parenthesized_expression (string_literal) @http.prefix))
 .
 (class_declaration) @http.scope
 (#eq? @_a "RequestMapping"))
((annotated_expression
   (annotated_expression
     (annotation (user_type (identifier) @_a))
     (parenthesized_expression (string_literal) @http.prefix)))
 .
 (class_declaration) @http.scope
 (#eq? @_a "RequestMapping"))

; gRPC: servers extend `XGrpcKt.XCoroutineImplBase` (an inherit reference), clients are
; `XGrpcKt.XCoroutineStub(channel)` values (bindings above)

; rpc addresses: `ManagedChannelBuilder.forTarget("pricing:50051")`, `forAddress(host, port)`
(call_expression
  (navigation_expression (_) (identifier) @_f .)
  (value_arguments . (value_argument (_) @rpc.address))
  (#match? @_f "^(forTarget|forAddress)$"))
